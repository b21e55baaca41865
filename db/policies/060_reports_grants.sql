-- Who may read reports. Re-applied on every migrate: revoke, then grant.
--   blotter_bi        reads this schema and nothing else (BI tools: Metabase, Grafana)
--   blotter_reviewer, blotter_auditor  read it too
-- The views read the ledger through security definer functions here, so a reader needs no
-- right in ledger (or recon, ops, graphile_worker).

revoke all on schema reports from public;
revoke all on all tables in schema reports from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;
revoke all on all functions in schema reports from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;

grant usage on schema reports to blotter_bi, blotter_reviewer, blotter_auditor;
grant select on all tables in schema reports to blotter_bi, blotter_reviewer, blotter_auditor;
grant execute on all functions in schema reports to blotter_bi, blotter_reviewer, blotter_auditor;

-- The agent's daily task records a chain verification; readers may not.
revoke execute on function reports.record_chain_verification() from blotter_bi, blotter_reviewer, blotter_auditor;
grant usage on schema reports to blotter_agent;
grant execute on function reports.record_chain_verification() to blotter_agent;

-- Refreshing is the agent's (its reports_refresh task, `blotter demo`) and the owner's;
-- creating reports is the migration's. Readers read what was refreshed.
revoke execute on function reports.refresh(text, text[]), reports.request_refresh(text, interval),
  reports.materialize(text, integer, text, text[], text[], boolean), reports.tg_events__request_refresh()
  from blotter_bi, blotter_reviewer, blotter_auditor;
grant execute on function reports.refresh(text, text[]), reports.request_refresh(text, interval) to blotter_agent;

-- Recording a scheduled report file is the agent's.
revoke execute on function reports.record_generated(text, text, date, date, text, text, text, bigint, bigint, timestamptz) from blotter_bi, blotter_reviewer, blotter_auditor;
grant execute on function reports.record_generated(text, text, date, date, text, text, text, bigint, bigint, timestamptz) to blotter_agent;
