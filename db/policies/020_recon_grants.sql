-- Who may do what with reconciliation. Re-applied on every migrate: revoke, then grant.
--   blotter_agent     runs reconciliations (scheduled jobs) and reads trading status; cannot move a break
--   blotter_reviewer  reads runs and breaks, and moves breaks (recon.review_break)
--   blotter_auditor   reads everything
--   blotter_bi        nothing here
-- Tolerances and settings change only through recon.set_tolerance / recon.set_setting,
-- which only the owner runs (a DBA), and which record the change in the ledger.

revoke all on schema recon from public;
revoke all on all tables in schema recon from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;
revoke all on all functions in schema recon from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;

grant usage on schema recon to blotter_agent, blotter_reviewer, blotter_auditor;
grant select on all tables in schema recon to blotter_reviewer, blotter_auditor;
grant select on recon.trading_status, recon.runs, recon.settings, recon.tolerances to blotter_agent;
-- Views run their functions with the reader's rights, so readers may call the read-only ones.
grant execute on function recon.setting(text), recon.tolerance_for(text, text), recon.within(text, text, numeric, numeric), recon.severity(numeric, interval),
  recon.severity_rank(text), recon.accounts(), recon.account_known(text), recon.break_states(timestamptz), recon.scope_entities(text), recon.run_due_at(timestamptz)
  to blotter_agent, blotter_reviewer, blotter_auditor;
grant execute on function recon.check_executions(text, timestamptz, text[]), recon.execution_tolerances(), recon.check_positions(text, timestamptz, bigint[]), recon.check_cash(text, timestamptz),
  recon.check_pnl(text, timestamptz), recon.check_orders(text, timestamptz), recon.check_statement(text, timestamptz),
  recon.ib_snapshot_positions(text, text, timestamptz, bigint[]), recon.ib_complete_snapshots(timestamptz)
  to blotter_reviewer, blotter_auditor;
grant execute on function recon.reconcile(text, timestamptz, text) to blotter_agent;
grant execute on function recon.review_break(text, text, text) to blotter_reviewer;
