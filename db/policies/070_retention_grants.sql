-- Who may see and change retention policies. Re-applied on every migrate.
-- Changing one is the owner's (`blotter retention set`, as the login user); the agent and
-- the readers may see them. The lock's triggers hold for the owner too.
revoke all on schema retention from public;
revoke all on all tables in schema retention from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;
revoke execute on function retention.set_policy(text, interval, boolean) from public;
grant usage on schema retention to blotter_agent, blotter_reviewer, blotter_auditor;
grant select on retention.policies to blotter_agent, blotter_reviewer, blotter_auditor;
