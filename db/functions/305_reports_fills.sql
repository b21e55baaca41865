-- The broker's fills, the one source every report starts from: IB's live executions (the
-- latest correction of each; the relay's own row over one backfilled from a statement),
-- else the statement's fills that the live feed never had. Commissions: the statement's
-- (final) where there is one, else the live commission report, else the backfill's own.
-- Strategy comes from the bot's order with the same order reference.
--
-- Security definer functions behind the views: a reader of `reports` (blotter_bi) needs no
-- right in `ledger`, where the data and the cast functions live. reports.fills is
-- materialized (every other report reads it); reports.fills_all() is the live answer.

-- Result columns only grow; a function whose result changed is dropped first (with the
-- reports built on it, which the files after this one create again).
do $$
begin
  -- to_regprocedure twice: a constant '...'::regprocedure would fail before the test
  if pg_catalog.pg_get_function_result(to_regprocedure('reports.fills_all()')) !~ 'exchange text' then
    drop function reports.fills_all() cascade;
  end if;
end
$$;

create or replace function reports.fills_all()
returns table (account text, exec_id text, source text, fill_time timestamptz, trade_date date, con_id bigint, symbol text, sec_type text,
               currency text, multiplier numeric, side text, quantity numeric, signed_quantity numeric, price numeric, commission numeric,
               commission_currency text, fx_rate_to_base numeric, order_ref text, perm_id bigint, strategy text, exchange text)
language sql stable security definer set search_path = '' rows 100000 as $$
  with live as (
    select distinct on (e.account, coalesce(e.payload ->> 'exec_base', e.entity_id))
           e.account, e.entity_id as exec_id, coalesce(e.payload ->> 'exec_base', e.entity_id) as exec_base, e.occurred_at,
           e.payload -> 'contract' as contract, e.payload ->> 'side' as side, ledger.to_numeric(e.payload ->> 'shares') as quantity,
           ledger.to_numeric(e.payload ->> 'price') as price, ledger.to_numeric(e.payload ->> 'commission') as own_commission,
           e.payload ->> 'commission_currency' as own_commission_currency, e.payload ->> 'order_ref' as order_ref,
           ledger.to_bigint(e.payload ->> 'perm_id') as perm_id, e.payload ->> 'exchange' as exchange
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account is not null
     order by e.account, coalesce(e.payload ->> 'exec_base', e.entity_id),
              coalesce(ledger.to_boolean(e.payload ->> 'from_statement'), false), e.entity_id desc, e.seq desc
  ),
  comm as (
    select distinct on (e.entity_id) e.entity_id as exec_id, ledger.to_numeric(e.payload ->> 'commission') as commission, e.payload ->> 'currency' as currency
      from ledger.events e
     where e.event_type = 'ib_commission' and not coalesce(ledger.to_boolean(e.payload ->> 'from_statement'), false)
     order by e.entity_id, e.seq desc
  ),
  stmt as (
    select f.*, case when strpos(f.exec_id, '.') > 0 then regexp_replace(f.exec_id, '\.[^.]*$', '') else f.exec_id end as exec_base
      from ledger.flex_fills f
  ),
  orders as (
    select distinct on (e.account, e.payload ->> 'order_ref') e.account, e.payload ->> 'order_ref' as order_ref, e.payload ->> 'strategy' as strategy
      from ledger.events e
     where e.event_type = 'order_submitted' and e.payload ? 'order_ref'
     order by e.account, e.payload ->> 'order_ref', e.seq
  ),
  both_ as (
    select l.account, l.exec_id, 'live'::text as source, l.occurred_at as fill_time, ledger.to_bigint(l.contract ->> 'con_id') as con_id,
           l.contract ->> 'symbol' as symbol, l.contract ->> 'sec_type' as sec_type, l.contract ->> 'currency' as currency,
           coalesce(nullif(ledger.to_numeric(l.contract ->> 'multiplier'), 0), s.multiplier, 1) as multiplier,
           case l.side when 'BOT' then 'BUY' when 'SLD' then 'SELL' else l.side end as side, l.quantity, l.price,
           coalesce(s.commission, c.commission, l.own_commission) as commission,
           coalesce(case when s.commission is not null then s.commission_currency end, c.currency, l.own_commission_currency) as commission_currency,
           s.fx_rate_to_base, coalesce(l.order_ref, s.order_ref) as order_ref, l.perm_id, coalesce(l.exchange, s.exchange) as exchange
      from live l
      left join comm c on c.exec_id = l.exec_id
      left join stmt s on s.account = l.account and s.exec_base = l.exec_base
    union all
    select s.account, s.exec_id, 'statement', s.trade_time, s.con_id, s.symbol, s.sec_type, s.currency, coalesce(s.multiplier, 1),
           s.side, abs(s.quantity), s.price, s.commission, s.commission_currency, s.fx_rate_to_base, s.order_ref, null::bigint, s.exchange
      from stmt s
     where not exists (select 1 from live l where l.account = s.account and l.exec_base = s.exec_base)
  )
  select b.account, b.exec_id, b.source, b.fill_time, (b.fill_time at time zone 'America/New_York')::date, b.con_id, b.symbol, b.sec_type,
         b.currency, b.multiplier, b.side, b.quantity, case b.side when 'SELL' then -b.quantity else b.quantity end, b.price,
         b.commission, b.commission_currency, b.fx_rate_to_base, b.order_ref, b.perm_id, o.strategy, b.exchange
    from both_ b
    left join orders o on o.account = b.account and o.order_ref = b.order_ref
   where b.quantity is not null and b.price is not null and b.side in ('BUY', 'SELL')
$$;
comment on function reports.fills_all() is 'Every broker fill once: IB live (latest correction; the relay''s row over a statement backfill), else the statement''s; commission final from the statement where known.';

-- One row per account and execution id (the DISTINCT ON guards the unique key the
-- concurrent refresh needs; a live fill wins over a statement row with the same id).
select reports.materialize('fills', 10,
  'select distinct on (account, exec_id) * from reports.fills_all() order by account, exec_id, source',
  array['account', 'exec_id'], array['account, con_id, fill_time, exec_id', 'account, trade_date', 'account, order_ref']);
comment on materialized view reports.fills is 'The broker''s fills, once each: IB''s live executions (the latest correction of each), else those only an imported Flex statement holds. The source every report starts from.';
comment on column reports.fills.account is 'IB account';
comment on column reports.fills.exec_id is 'IB execution id';
comment on column reports.fills.source is 'live (IB''s API feed) or statement (only a Flex statement has it)';
comment on column reports.fills.fill_time is 'When the fill happened';
comment on column reports.fills.trade_date is 'The New York date of fill_time';
comment on column reports.fills.con_id is 'IB contract id';
comment on column reports.fills.symbol is 'Symbol';
comment on column reports.fills.sec_type is 'STK, OPT, FUT, ...';
comment on column reports.fills.currency is 'Trade currency';
comment on column reports.fills.multiplier is 'Contract multiplier (1 when IB gives none)';
comment on column reports.fills.side is 'BUY or SELL';
comment on column reports.fills.quantity is 'Quantity filled, positive';
comment on column reports.fills.signed_quantity is 'Quantity, positive for a buy, negative for a sell';
comment on column reports.fills.price is 'Fill price';
comment on column reports.fills.commission is 'Commission as a positive charge: the statement''s final one where imported, else IB''s live commission report; NULL until known';
comment on column reports.fills.commission_currency is 'Currency of the commission';
comment on column reports.fills.fx_rate_to_base is 'Rate to the account''s base currency, from the statement (NULL until one is imported)';
comment on column reports.fills.order_ref is 'The order reference the bot set';
comment on column reports.fills.perm_id is 'IB permanent order id (live fills)';
comment on column reports.fills.strategy is 'Strategy of the bot''s order with this order reference';
comment on column reports.fills.exchange is 'Venue the fill executed on (IB''s exchange of the execution)';
