-- Equity per account and New York day, and its time-weighted daily returns.
--
-- NAV of a day, by preference: the Flex statement's (EquitySummaryInBase total, the book of
-- record), else IB's last NetLiquidation recorded that day (live feed), else the bot's last
-- account_snapshot net_liquidation. External cash flows (deposits and withdrawals, from
-- ledger.account_cash_flows: the statement's where one covers the day, else the bot's)
-- stand beside it; dividends, interest, fees and taxes are return, not flows.
--
-- Daily return, time-weighted, flows counted at the end of the day:
--   r_d = (NAV_d - F_d) / NAV_prev - 1
-- so a deposit neither gains nor loses anything; the product of (1 + r) over a period is the
-- period's time-weighted return. The first day of an account, or one after a NAV of 0 or
-- less, has no return.

create or replace function reports.equity_daily_all()
returns table (account text, trade_date date, nav numeric, nav_source text, currency text, flows numeric, daily_return numeric,
               equity_index numeric, drawdown numeric)
language sql stable security definer set search_path = '' rows 10000 as $$
  with stmt as (
    select distinct on (n.account, n.report_date) n.account, n.report_date as day, n.nav, n.currency
      from ledger.flex_nav n where n.nav is not null and n.report_date is not null
     order by n.account, n.report_date, n.seq desc
  ),
  live as (
    select distinct on (e.account, (e.occurred_at at time zone 'America/New_York')::date)
           e.account, (e.occurred_at at time zone 'America/New_York')::date as day, ledger.to_numeric(e.payload ->> 'value') as nav,
           e.payload ->> 'currency' as currency
      from ledger.events e
     where e.event_type in ('ib_account_value', 'ib_account_summary') and coalesce(e.payload ->> 'key', e.payload ->> 'tag') = 'NetLiquidation'
       and e.payload ->> 'currency' ~ '^[A-Z]{3}$' and ledger.to_numeric(e.payload ->> 'value') is not null and e.account is not null
     order by e.account, (e.occurred_at at time zone 'America/New_York')::date, e.occurred_at desc, e.seq desc
  ),
  bot as (
    select distinct on (e.account, (e.occurred_at at time zone 'America/New_York')::date)
           e.account, (e.occurred_at at time zone 'America/New_York')::date as day, ledger.to_numeric(e.payload ->> 'net_liquidation') as nav,
           e.payload ->> 'base_currency' as currency
      from ledger.events e
     where e.event_type = 'account_snapshot' and ledger.to_numeric(e.payload ->> 'net_liquidation') is not null and e.account is not null
     order by e.account, (e.occurred_at at time zone 'America/New_York')::date, e.occurred_at desc, e.seq desc
  ),
  days as (select account, day from stmt union select account, day from live union select account, day from bot),
  navs as (
    select d.account, d.day, coalesce(s.nav, l.nav, b.nav) as nav,
           case when s.nav is not null then 'statement' when l.nav is not null then 'live' else 'bot' end as nav_source,
           coalesce(s.currency, l.currency, b.currency) as currency
      from days d
      left join stmt s on s.account = d.account and s.day = d.day
      left join live l on l.account = d.account and l.day = d.day
      left join bot b on b.account = d.account and b.day = d.day
  ),
  flows as (
    select f.account, f.date as day, sum(coalesce(f.amount_base, f.amount)) as flows
      from ledger.account_cash_flows f
     where f.kind in ('deposit', 'withdrawal')
     group by 1, 2
  ),
  r as (
    select n.*, coalesce(f.flows, 0) as flows,
           case when lag(n.nav) over w > 0 then (n.nav - coalesce(f.flows, 0)) / lag(n.nav) over w - 1 end as daily_return
      from navs n left join flows f on f.account = n.account and f.day = n.day
    window w as (partition by n.account order by n.day)
  ),
  idx as (
    select r.*, exp(sum(ln(1 + coalesce(r.daily_return, 0))) over (partition by r.account order by r.day)) as equity_index
      from r
  )
  select i.account, i.day, i.nav, i.nav_source, i.currency, i.flows, i.daily_return, i.equity_index,
         i.equity_index / max(i.equity_index) over (partition by i.account order by i.day) - 1
    from idx i
$$;
comment on function reports.equity_daily_all() is 'Equity per account and day (statement NAV, else live net liquidation, else the bot''s), external flows, time-weighted daily return, equity index and drawdown.';

select reports.materialize('equity_daily', 15, 'select * from reports.equity_daily_all()', array['account', 'trade_date']);
comment on materialized view reports.equity_daily is 'Per account and New York day: NAV (the statement''s, else IB''s last net liquidation of the day, else the bot''s), deposits and withdrawals, the time-weighted daily return (flows neutralised), an equity index and the drawdown.';
comment on column reports.equity_daily.account is 'IB account';
comment on column reports.equity_daily.trade_date is 'New York date';
comment on column reports.equity_daily.nav is 'Net asset value at the end of the day, in the base currency';
comment on column reports.equity_daily.nav_source is 'statement (Flex EquitySummaryInBase), live (IB NetLiquidation, last of the day) or bot (account_snapshot)';
comment on column reports.equity_daily.currency is 'Currency of nav';
comment on column reports.equity_daily.flows is 'Deposits minus withdrawals that day (ledger.account_cash_flows; base currency where the statement gives the rate)';
comment on column reports.equity_daily.daily_return is 'Time-weighted return of the day: (nav - flows) / previous nav - 1 (flows at the end of the day); NULL on the first day';
comment on column reports.equity_daily.equity_index is 'Product of (1 + daily_return) up to this day: growth of 1 invested at the start, flows neutralised';
comment on column reports.equity_daily.drawdown is 'equity_index / its running maximum - 1 (0 at a new high, negative below it)';
