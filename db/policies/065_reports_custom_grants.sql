-- Who may save and run custom reports. Re-applied on every migrate, after 060 (which grants
-- every function in reports to the readers): this file takes back what they may not do.
--   define_custom_report   blotter_agent (the CLI's and agent's login) and the owner
--   run_custom_query       blotter_agent, blotter_reviewer, blotter_auditor; never
--                          blotter_bi, and so never blotter_custom, its owner: a custom report
--                          cannot run another custom report's SQL unchecked
-- run_custom_query belongs to blotter_custom (a NOLOGIN member of blotter_bi only, made by
-- db/bootstrap.sql): it is security definer, so the query runs with blotter_bi's rights and
-- cannot change role. Giving it away needs the new owner to have CREATE on the schema for
-- a moment (PostgreSQL's rule for ALTER ... OWNER by a non-superuser).

grant create on schema reports to blotter_custom;
alter function reports.run_custom_query(text, text[], integer) owner to blotter_custom;
revoke create on schema reports from blotter_custom;

revoke all on function reports.run_custom_query(text, text[], integer) from public, blotter_custom, blotter_bi, blotter_reviewer, blotter_auditor, blotter_agent;
-- blotter_owner: migrate replaces the function, and PL/pgSQL's validator wants EXECUTE on it.
grant execute on function reports.run_custom_query(text, text[], integer) to blotter_owner, blotter_agent, blotter_reviewer, blotter_auditor;

revoke all on function reports.define_custom_report(text, text, text, text[], text) from public, blotter_bi, blotter_reviewer, blotter_auditor;
grant execute on function reports.define_custom_report(text, text, text, text[], text) to blotter_agent;
-- The agent reads the definitions it saves and runs (the readers have them from 060).
grant select on reports.custom_reports, reports.custom_report_versions to blotter_agent;
grant execute on function reports.custom_report_versions_all() to blotter_agent;
