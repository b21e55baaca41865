-- Who may read the exchange calendar. Re-applied on every migrate: revokes first, then
-- grants. The calendar is public fact, so every blotter role that works with
-- reconciliation reads it; only blotter_owner (by migration) changes the overrides.
--   blotter_agent     the reconciliation schedule reads it (agent/jobs/schedule.ts)
--   blotter_auditor   reads everything
--   blotter_reviewer  sees which days were trading days when reviewing breaks

revoke all on recon.calendar_overrides, recon.market_calendar
  from public, blotter_agent, blotter_auditor, blotter_reviewer, blotter_bi;
revoke all on function
  recon.easter_sunday(integer), recon.nth_weekday(integer, integer, integer, integer),
  recon.last_weekday(integer, integer, integer), recon.observed_date(date),
  recon.nyse_holidays(integer), recon.nyse_early_closes(integer),
  recon.market_sessions(date, date), recon.market_session(date)
  from public;
-- Fired by ledger.events only; nobody calls it.
revoke all on function recon.tg_events__enqueue_after_fill() from public;

grant usage on schema recon to blotter_agent, blotter_auditor, blotter_reviewer;
-- The table too: recon.market_sessions is an invoker's function (so it can stay a plain,
-- inlinable SQL function) and reads the overrides with the caller's rights.
grant select on recon.calendar_overrides, recon.market_calendar to blotter_agent, blotter_auditor, blotter_reviewer;
grant execute on function
  recon.easter_sunday(integer), recon.nth_weekday(integer, integer, integer, integer),
  recon.last_weekday(integer, integer, integer), recon.observed_date(date),
  recon.nyse_holidays(integer), recon.nyse_early_closes(integer),
  recon.market_sessions(date, date), recon.market_session(date)
  to blotter_agent, blotter_auditor, blotter_reviewer;
