-- Time series for Grafana (and any tool that wants a timestamp): Grafana's PostgreSQL
-- source plots a column named `time`. A day's figures are stamped at that day's New York
-- close (16:00), so a daily point sits on its trading day in any viewer's time zone.
-- Plain views over the materialized reports: as fresh as their last refresh.

create or replace view reports.ts_equity as
select (e.trade_date + time '16:00') at time zone 'America/New_York' as "time", e.account, e.nav, e.equity_index, e.drawdown, e.daily_return, e.flows
  from reports.equity_daily e;
comment on view reports.ts_equity is 'Equity per account and day with a Grafana time column: NAV, equity index, drawdown, daily return, flows (reports.equity_daily).';
comment on column reports.ts_equity."time" is 'The day''s New York close (16:00) as a timestamp';
comment on column reports.ts_equity.account is 'IB account';
comment on column reports.ts_equity.nav is 'Net asset value at the end of the day (base currency)';
comment on column reports.ts_equity.equity_index is 'Growth of 1 invested, flows neutralised';
comment on column reports.ts_equity.drawdown is 'equity_index / its running maximum - 1';
comment on column reports.ts_equity.daily_return is 'Time-weighted return of the day';
comment on column reports.ts_equity.flows is 'Deposits minus withdrawals that day';

create or replace view reports.ts_daily_pnl as
select (d.trade_date + time '16:00') at time zone 'America/New_York' as "time", d.account, d.net_pnl, d.gross_pnl, d.commission, d.mtm_pnl, d.total_trades, d.fills
  from reports.daily_summary d;
comment on view reports.ts_daily_pnl is 'Daily P&L per account with a Grafana time column (reports.daily_summary).';
comment on column reports.ts_daily_pnl."time" is 'The day''s New York close (16:00) as a timestamp';
comment on column reports.ts_daily_pnl.account is 'IB account';
comment on column reports.ts_daily_pnl.net_pnl is 'Realized P&L of the round trips closed that day, net of their commissions';
comment on column reports.ts_daily_pnl.gross_pnl is 'The same before commissions';
comment on column reports.ts_daily_pnl.commission is 'Commissions of all the day''s fills';
comment on column reports.ts_daily_pnl.mtm_pnl is 'Mark-to-market P&L of the whole account (NAV change less flows)';
comment on column reports.ts_daily_pnl.total_trades is 'Round trips closed';
comment on column reports.ts_daily_pnl.fills is 'Fills';

create or replace view reports.ts_slippage as
select q.submitted_at as "time", q.account, q.client_order_id, q.strategy, q.symbol, q.venue, q.slippage_arrival_bps, q.slippage_decision_bps, q.shortfall, q.filled
  from reports.execution_quality q
 where q.filled > 0;
comment on view reports.ts_slippage is 'Per filled order, at its submission time: slippage against arrival and decision (bps) and implementation shortfall (reports.execution_quality).';
comment on column reports.ts_slippage."time" is 'When the bot submitted the order';
comment on column reports.ts_slippage.account is 'IB account';
comment on column reports.ts_slippage.client_order_id is 'The bot''s order id';
comment on column reports.ts_slippage.strategy is 'Strategy';
comment on column reports.ts_slippage.symbol is 'Symbol';
comment on column reports.ts_slippage.venue is 'Exchange most of its fills executed on';
comment on column reports.ts_slippage.slippage_arrival_bps is 'side x (avg fill - arrival) / arrival x 10,000 (positive: a cost)';
comment on column reports.ts_slippage.slippage_decision_bps is 'side x (avg fill - decision) / decision x 10,000';
comment on column reports.ts_slippage.shortfall is 'Implementation shortfall, trade currency';
comment on column reports.ts_slippage.filled is 'Quantity filled';

-- Open breaks now, per account, category and severity (a gauge or a table in Grafana).
create or replace function reports.open_breaks_all()
returns table ("time" timestamptz, account text, category text, severity text, open_breaks integer, oldest_first_seen timestamptz)
language sql stable security definer set search_path = '' as $$
  select pg_catalog.now(), b.account, split_part(b.break_id, ':', 1), b.severity_now, count(*)::integer, min(b.first_seen_at)
    from recon.breaks b where b.status in ('open', 'acknowledged', 'escalated')
   group by b.account, split_part(b.break_id, ':', 1), b.severity_now
$$;
create or replace view reports.open_breaks as select * from reports.open_breaks_all();
comment on view reports.open_breaks is 'Reconciliation breaks open now (open, acknowledged or escalated) per account, category and current severity; time is now (Grafana).';
comment on column reports.open_breaks."time" is 'Now (when the view was read)';
comment on column reports.open_breaks.account is 'IB account';
comment on column reports.open_breaks.category is 'Break category (execution, position, cash, statement, ...)';
comment on column reports.open_breaks.severity is 'Severity now (age raises it)';
comment on column reports.open_breaks.open_breaks is 'Breaks open';
comment on column reports.open_breaks.oldest_first_seen is 'When the oldest of them was first seen';
