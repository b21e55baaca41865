-- Performance per account and period (month, year, or any date range), from the
-- time-weighted daily returns of reports.equity_daily and the round trips of reports.trades.
-- Conventions as quantstats (docs/reports.md has a worked example):
--   n days with a return; rf_d = (1 + risk_free_rate)^(1/trading_days) - 1
--   return      = product(1 + r) - 1
--   volatility  = stddev_samp(r) x sqrt(trading_days)
--   sharpe      = avg(r - rf_d) / stddev_samp(r) x sqrt(trading_days)
--   sortino     = avg(r - rf_d) / sqrt(sum(min(r, 0)^2) / n) x sqrt(trading_days)   (all periods in the denominator)
--   cagr        = (1 + return)^(trading_days / n) - 1
--   max_drawdown= min(index / running max of index - 1) within the period; calmar = cagr / |max_drawdown|
--   win_rate    = days r > 0 / days r <> 0; profit_factor = sum(r >= 0) / |sum(r < 0)|; payoff = avg(r > 0) / |avg(r < 0)|
--   per trade (round trips closed in the period): trade_win_rate = net > 0 / all (break-evens
--   counted), expectancy = avg win x win share + avg loss x loss share over trades with net <> 0
--   turnover    = notional of the period's fills / average NAV

create or replace function reports.performance_by(p_grain text, p_from date default null, p_to date default null, p_account text default null)
returns table (account text, period_start date, period_end date, days integer, period_return numeric, volatility numeric, sharpe numeric,
               sortino numeric, max_drawdown numeric, max_drawdown_peak date, max_drawdown_trough date, cagr numeric, calmar numeric,
               best_day numeric, worst_day numeric, win_rate numeric, profit_factor numeric, payoff numeric,
               trade_count integer, trade_win_rate numeric, expectancy numeric, turnover numeric, commissions numeric)
language sql stable security definer set search_path = '' rows 1000 as $$
  with s as (
    select (select value from reports.settings where key = 'trading_days') as td,
           power(1 + (select value from reports.settings where key = 'risk_free_rate'),
                 1 / (select value from reports.settings where key = 'trading_days')) - 1 as rf
  ),
  e as (
    select q.*, case p_grain when 'month' then date_trunc('month', q.trade_date)::date when 'year' then date_trunc('year', q.trade_date)::date
                             else p_from end as p
      from reports.equity_daily q
     where (p_account is null or q.account = p_account) and (p_from is null or q.trade_date >= p_from) and (p_to is null or q.trade_date <= p_to)
  ),
  -- the period's own equity path (so a period's drawdown starts at its first day)
  path as (
    select e.*, exp(sum(ln(1 + coalesce(e.daily_return, 0))) over (partition by e.account, e.p order by e.trade_date)) as idx
      from e
  ),
  -- the period starts at 1 (its opening equity): a first day's loss is a drawdown
  dd as (
    select path.*, idx / greatest(1, max(idx) over (partition by account, p order by trade_date)) - 1 as ddv,
           greatest(1, max(idx) over (partition by account, p order by trade_date)) as runmax
      from path
  ),
  trough as (
    select distinct on (account, p) account, p, trade_date as trough_date, ddv, runmax from dd where daily_return is not null order by account, p, ddv, trade_date
  ),
  peak as (
    -- the last day at that high; none when the high is the period's opening equity: then
    -- the day before the period's first day with equity
    select t.account, t.p,
           coalesce((select max(d.trade_date) from dd d where d.account = t.account and d.p is not distinct from t.p and d.trade_date <= t.trough_date and d.idx = t.runmax),
                    (select max(q.trade_date) from e q where q.account = t.account
                        and q.trade_date < (select min(d.trade_date) from dd d where d.account = t.account and d.p is not distinct from t.p))) as peak_date
      from trough t
  ),
  r as (
    select e.account, e.p, min(e.trade_date) as first_day, max(e.trade_date) as last_day, count(e.daily_return)::integer as n,
           exp(sum(ln(1 + e.daily_return))) - 1 as ret, stddev_samp(e.daily_return) as sd, avg(e.daily_return - s.rf) as ex,
           sum(least(e.daily_return, 0) ^ 2) as down2, max(e.daily_return) as best, min(e.daily_return) as worst,
           count(*) filter (where e.daily_return > 0) as up, count(*) filter (where e.daily_return <> 0) as nz,
           sum(e.daily_return) filter (where e.daily_return >= 0) as gains, sum(e.daily_return) filter (where e.daily_return < 0) as losses,
           avg(e.daily_return) filter (where e.daily_return > 0) as avg_up, avg(e.daily_return) filter (where e.daily_return < 0) as avg_down,
           avg(e.nav) as avg_nav, max(s.td) as td
      from e cross join s
     group by 1, 2
  ),
  tr as (
    select t.account, case p_grain when 'month' then date_trunc('month', t.close_trade_date)::date when 'year' then date_trunc('year', t.close_trade_date)::date
                               else p_from end as p,
           count(*)::integer as trades, count(*) filter (where t.net_pnl > 0) as wins,
           avg(t.net_pnl) filter (where t.net_pnl > 0) as avg_win, avg(t.net_pnl) filter (where t.net_pnl < 0) as avg_loss,
           count(*) filter (where t.net_pnl < 0) as lossn
      from reports.trades t
     where (p_account is null or t.account = p_account) and (p_from is null or t.close_trade_date >= p_from) and (p_to is null or t.close_trade_date <= p_to)
     group by 1, 2
  ),
  fl as (
    select f.account, case p_grain when 'month' then date_trunc('month', f.trade_date)::date when 'year' then date_trunc('year', f.trade_date)::date
                               else p_from end as p,
           sum(f.quantity * f.price * f.multiplier) as notional, sum(f.commission) as commissions
      from reports.fills f
     where (p_account is null or f.account = p_account) and (p_from is null or f.trade_date >= p_from) and (p_to is null or f.trade_date <= p_to)
     group by 1, 2
  )
  select r.account, coalesce(r.p, r.first_day), r.last_day, r.n, r.ret,
         r.sd * sqrt(r.td), case when r.sd > 0 then r.ex / r.sd * sqrt(r.td) end,
         case when r.down2 > 0 then r.ex / sqrt(r.down2 / r.n) * sqrt(r.td) end,
         t.ddv, pk.peak_date, case when t.ddv < 0 then t.trough_date end,
         case when r.n > 0 and r.ret > -1 then power(1 + r.ret, r.td / r.n) - 1 end,
         case when t.ddv < 0 and r.n > 0 and r.ret > -1 then (power(1 + r.ret, r.td / r.n) - 1) / abs(t.ddv) end,
         r.best, r.worst, case when r.nz > 0 then r.up::numeric / r.nz end,
         case when r.losses < 0 then coalesce(r.gains, 0) / abs(r.losses) end,
         case when r.avg_down < 0 then r.avg_up / abs(r.avg_down) end,
         coalesce(x.trades, 0), case when x.trades > 0 then x.wins::numeric / x.trades end,
         case when x.wins + x.lossn > 0 then (coalesce(x.avg_win, 0) * x.wins + coalesce(x.avg_loss, 0) * x.lossn) / (x.wins + x.lossn) end,
         case when r.avg_nav > 0 then coalesce(f.notional, 0) / r.avg_nav end, coalesce(f.commissions, 0)
    from r
    left join trough t on t.account = r.account and t.p is not distinct from r.p
    left join peak pk on pk.account = r.account and pk.p is not distinct from r.p
    left join tr x on x.account = r.account and x.p is not distinct from r.p
    left join fl f on f.account = r.account and f.p is not distinct from r.p
$$;
comment on function reports.performance_by(text, date, date, text) is 'Performance per account and period: p_grain month or year (one row per period), or range (one row for p_from..p_to); quantstats conventions (docs/reports.md).';

-- Any date range: reports.performance('2026-01-01', '2026-06-30', 'U123').
create or replace function reports.performance(p_from date, p_to date, p_account text default null)
returns table (account text, period_start date, period_end date, days integer, period_return numeric, volatility numeric, sharpe numeric,
               sortino numeric, max_drawdown numeric, max_drawdown_peak date, max_drawdown_trough date, cagr numeric, calmar numeric,
               best_day numeric, worst_day numeric, win_rate numeric, profit_factor numeric, payoff numeric,
               trade_count integer, trade_win_rate numeric, expectancy numeric, turnover numeric, commissions numeric)
language sql stable as $$ select * from reports.performance_by('range', p_from, p_to, p_account) $$;
comment on function reports.performance(date, date, text) is 'Performance of each account (or one) over any date range, both days included: one row per account, the monthly_performance columns.';

-- Materialized after equity_daily, trades and fills, which they read; any other range is
-- reports.performance(from, to, account).
select reports.materialize('monthly_performance', 40, $q$select * from reports.performance_by('month')$q$, array['account', 'period_start']);
select reports.materialize('yearly_performance', 41, $q$select * from reports.performance_by('year')$q$, array['account', 'period_start']);
comment on materialized view reports.monthly_performance is 'Performance per account and calendar month: time-weighted return and risk figures from reports.equity_daily, trade figures from reports.trades (quantstats conventions; docs/reports.md).';
comment on materialized view reports.yearly_performance is 'Performance per account and calendar year, as monthly_performance.';
do $$
declare v text; c record;
begin
  foreach v in array array['monthly_performance', 'yearly_performance'] loop
    for c in select * from (values
      ('account', 'IB account'), ('period_start', 'First day of the period'), ('period_end', 'Last day with equity in the period'),
      ('days', 'Days with a daily return'), ('period_return', 'Time-weighted return: product of (1 + daily return) - 1'),
      ('volatility', 'Sample standard deviation of daily returns x sqrt(trading_days)'),
      ('sharpe', 'avg(daily return - daily risk-free) / sample std x sqrt(trading_days); risk-free from reports.settings, per day (1 + rf)^(1/trading_days) - 1'),
      ('sortino', 'avg(daily return - daily risk-free) / sqrt(sum of squared negative returns / all days) x sqrt(trading_days)'),
      ('max_drawdown', 'Largest fall of the period''s equity index from its running high (negative)'),
      ('max_drawdown_peak', 'Day of the high before the largest fall'), ('max_drawdown_trough', 'Day of the bottom of the largest fall'),
      ('cagr', '(1 + period_return)^(trading_days / days) - 1'), ('calmar', 'cagr / |max_drawdown|'),
      ('best_day', 'Best daily return'), ('worst_day', 'Worst daily return'),
      ('win_rate', 'Days with a positive return / days with a non-zero return'),
      ('profit_factor', 'Sum of non-negative daily returns / |sum of negative ones|'),
      ('payoff', 'Average positive daily return / |average negative one|'),
      ('trade_count', 'Round trips closed in the period (reports.trades)'),
      ('trade_win_rate', 'Round trips with net P&L > 0 / all closed (break-evens counted)'),
      ('expectancy', 'Average win x win share + average loss x loss share, over round trips with non-zero net P&L (trade currency)'),
      ('turnover', 'Notional of the period''s fills / average NAV'),
      ('commissions', 'Commissions of the period''s fills')) as x(col, doc) loop
      execute format('comment on column reports.%I.%I is %L', v, c.col, c.doc);
    end loop;
  end loop;
end
$$;
