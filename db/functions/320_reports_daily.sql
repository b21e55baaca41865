-- The daily summary per account and New York trade date: the day's fills (volume,
-- commissions), the round trips closed that day (realized P&L, wins and losses), and the
-- account's mark-to-market P&L and return from reports.equity_daily. Materialized (after
-- fills, trades and equity_daily); reports.daily_summary(from, to, account) reads a range.

select reports.materialize('daily_summary', 30, $q$
with t as (
  select r.account, r.close_trade_date as trade_date, count(*)::integer as total_trades,
         sum(r.gross_pnl) as gross_pnl, sum(r.net_pnl) as net_pnl,
         count(*) filter (where r.net_pnl > 0)::integer as wins, count(*) filter (where r.net_pnl < 0)::integer as losses,
         avg(r.net_pnl) filter (where r.net_pnl > 0) as avg_win, avg(r.net_pnl) filter (where r.net_pnl < 0) as avg_loss,
         max(r.net_pnl) filter (where r.net_pnl > 0) as largest_win, min(r.net_pnl) filter (where r.net_pnl < 0) as largest_loss
    from reports.trades r
   group by 1, 2
),
f as (
  select x.account, x.trade_date, count(*)::integer as fills, sum(x.quantity) as total_volume, sum(x.quantity * x.price * x.multiplier) as notional,
         sum(x.commission) as commission
    from reports.fills x
   group by 1, 2
),
d as (
  select coalesce(f.account, t.account) as account, coalesce(f.trade_date, t.trade_date) as trade_date,
         coalesce(t.total_trades, 0) as total_trades, coalesce(f.fills, 0) as fills, coalesce(f.total_volume, 0) as total_volume,
         coalesce(f.notional, 0) as notional, coalesce(t.gross_pnl, 0) as gross_pnl, coalesce(t.net_pnl, 0) as net_pnl,
         coalesce(f.commission, 0) as commission, coalesce(t.wins, 0) as wins, coalesce(t.losses, 0) as losses,
         t.avg_win, t.avg_loss, t.largest_win, t.largest_loss
    from f full join t on t.account = f.account and t.trade_date = f.trade_date
)
select d.account, d.trade_date, d.total_trades, d.fills, d.total_volume, d.notional, d.gross_pnl, d.net_pnl, d.commission,
       case when d.total_trades > 0 then d.wins::numeric / d.total_trades end as win_rate,
       d.wins, d.losses, d.avg_win, d.avg_loss, d.largest_win, d.largest_loss,
       case when count(*) over w >= 2 and stddev_samp(d.net_pnl) over w > 0
            then avg(d.net_pnl) over w / stddev_samp(d.net_pnl) over w * sqrt(252::numeric) end as sharpe_ratio,
       q.nav - q.prev_nav - q.flows as mtm_pnl, q.daily_return as day_return
  from d
  left join (select e.account, e.trade_date, e.nav, e.flows, e.daily_return, lag(e.nav) over (partition by e.account order by e.trade_date) as prev_nav
               from reports.equity_daily e) q on q.account = d.account and q.trade_date = d.trade_date
window w as (partition by d.account order by d.trade_date rows between 62 preceding and current row)
$q$, array['account', 'trade_date']);
comment on materialized view reports.daily_summary is 'Per account and New York trade date: the day''s fills and the round trips (reports.trades) closed that day. A day with fills but no closed round trip has total_trades 0. P&L in trade currency (one currency per account assumed; see docs/reports.md).';
comment on column reports.daily_summary.account is 'IB account';
comment on column reports.daily_summary.trade_date is 'New York trade date';
comment on column reports.daily_summary.total_trades is 'Round trips closed that day (reports.trades, one per closing fill)';
comment on column reports.daily_summary.fills is 'Broker fills that day (reports.fills), opening and closing';
comment on column reports.daily_summary.total_volume is 'Sum of the quantities filled that day (shares or contracts), buys and sells';
comment on column reports.daily_summary.notional is 'Sum of quantity x price x multiplier of the day''s fills';
comment on column reports.daily_summary.gross_pnl is 'Realized P&L of the round trips closed that day, before commissions';
comment on column reports.daily_summary.net_pnl is 'gross_pnl minus those round trips'' commissions (their closing fills'' and the opening fills'' shares)';
comment on column reports.daily_summary.commission is 'Commissions of all the day''s fills (opening ones included; not known yet counts 0)';
comment on column reports.daily_summary.win_rate is 'Round trips with net_pnl > 0 divided by total_trades (break-evens count in the denominator); NULL without round trips';
comment on column reports.daily_summary.wins is 'Round trips closed that day with net_pnl > 0';
comment on column reports.daily_summary.losses is 'Round trips closed that day with net_pnl < 0';
comment on column reports.daily_summary.avg_win is 'Average net_pnl of the winning round trips';
comment on column reports.daily_summary.avg_loss is 'Average net_pnl of the losing round trips (negative)';
comment on column reports.daily_summary.largest_win is 'Largest net_pnl of a winning round trip';
comment on column reports.daily_summary.largest_loss is 'Most negative net_pnl of a losing round trip';
comment on column reports.daily_summary.sharpe_ratio is 'Sharpe ratio of daily net P&L over the trailing 63 rows (days with fills or round trips) up to this day: mean / sample standard deviation x sqrt(252); NULL with fewer than 2 days or no variation. P&L-based (scale-free); the return-based Sharpe is in reports.monthly_performance';
comment on column reports.daily_summary.mtm_pnl is 'Mark-to-market P&L of the whole account that day: NAV - previous NAV - deposits + withdrawals (reports.equity_daily, base currency; realized and unrealized, dividends, interest and fees included); NULL without a NAV for the day and the one before';
comment on column reports.daily_summary.day_return is 'The account''s time-weighted return that day (reports.equity_daily.daily_return); NULL without NAVs';

create or replace function reports.daily_summary(p_from date, p_to date, p_account text default null)
returns setof reports.daily_summary
language sql stable as $$
  select * from reports.daily_summary d
   where d.trade_date between p_from and p_to and (p_account is null or d.account = p_account)
   order by d.account, d.trade_date
$$;
comment on function reports.daily_summary(date, date, text) is 'reports.daily_summary for any date range (both days included), one account or all.';
