-- Who may see and change retention policies. Re-applied on every migrate.
-- Changing one is the owner's (`blotter retention set`, as the login user); the agent and
-- the readers may see them. The lock's triggers hold for the owner too.
revoke all on schema retention from public;
revoke all on all tables in schema retention from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;
revoke execute on function retention.set_policy(text, interval, boolean) from public;
grant usage on schema retention to blotter_agent, blotter_reviewer, blotter_auditor;
grant select on retention.policies to blotter_agent, blotter_reviewer, blotter_auditor;

-- Archives and purge are the owner's (blotter archive / purge, as the login user, and the
-- agent's archive task, whose connection acts as the owner's login). Readers see
-- reports.archive_months (policies/060).
revoke execute on function retention.record_archive(text, date, text, text, bigint, bigint, boolean), retention.record_verified(text, date, text),
  retention.purge(text, date[], text[]), retention.month_streams(date), retention.purge_job_history() from public;
grant select on retention.archives to blotter_agent, blotter_reviewer, blotter_auditor;
