-- Execution quality per order (the bot's order_submitted, its broker fills by orderRef) and
-- by day, strategy, symbol and order type. Side s = +1 for a buy, -1 for a sell; filled F,
-- ordered Q, average fill P, arrival A, decision D (both from the bot's order):
--   slippage vs arrival (bps)  = s x (P - A) / A x 10,000   (positive: paid more than arrival)
--   slippage vs decision (bps) = s x (P - D) / D x 10,000
--   implementation shortfall (Perold), in the trade currency:
--     execution cost = s x F x (P - A); delay cost = s x F x (A - D); fees = commissions;
--     opportunity cost = s x (Q - F) x (last - D) for the unfilled part, with "last" the
--     order's last fill price (NULL when nothing filled: no price to judge it by);
--     shortfall = execution + delay + opportunity + fees.

-- Result columns only grow; a changed result is dropped first (with the reports on it).
do $$
begin
  -- to_regprocedure twice: a constant '...'::regprocedure would fail before the test
  if pg_catalog.pg_get_function_result(to_regprocedure('reports.execution_quality_all()')) !~ 'venue text' then
    drop function reports.execution_quality_all() cascade;
  end if;
end
$$;

create or replace function reports.execution_quality_all()
returns table (account text, client_order_id text, order_ref text, submitted_at timestamptz, trade_date date, strategy text, symbol text,
               con_id bigint, side text, order_type text, quantity numeric, filled numeric, fill_rate numeric, avg_fill_price numeric,
               decision_price numeric, arrival_price numeric, slippage_arrival_bps numeric, slippage_decision_bps numeric,
               execution_cost numeric, delay_cost numeric, opportunity_cost numeric, fees numeric, shortfall numeric,
               first_fill_after interval, last_fill_after interval, fills integer, cancels integer, modifications integer, venue text)
language sql stable security definer set search_path = '' rows 10000 as $$
  with o as (
    select distinct on (e.account, e.payload ->> 'client_order_id') e.account, e.payload ->> 'client_order_id' as client_order_id,
           nullif(e.payload ->> 'order_ref', '') as order_ref, e.occurred_at, e.payload ->> 'strategy' as strategy,
           e.payload -> 'contract' ->> 'symbol' as symbol, ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
           e.payload ->> 'side' as side, e.payload ->> 'order_type' as order_type, ledger.to_numeric(e.payload ->> 'quantity') as quantity,
           ledger.to_numeric(e.payload ->> 'decision_price') as decision_price, ledger.to_numeric(e.payload ->> 'arrival_price') as arrival_price
      from ledger.events e
     where e.event_type = 'order_submitted' and e.account is not null
     order by e.account, e.payload ->> 'client_order_id', e.seq
  ),
  f as (
    select x.account, x.order_ref, sum(x.quantity) as filled, sum(x.quantity * x.price) as cost, coalesce(sum(x.commission), 0) as fees,
           min(x.fill_time) as first_fill, max(x.fill_time) as last_fill, count(*)::integer as fills,
           (array_agg(x.price order by x.fill_time desc, x.exec_id desc))[1] as last_price,
           mode() within group (order by x.exchange) as venue
      from reports.fills x where x.order_ref is not null
     group by 1, 2
  ),
  c as (
    select e.account, e.payload ->> 'client_order_id' as client_order_id,
           count(*) filter (where e.event_type = 'order_cancel_requested')::integer as cancels,
           count(*) filter (where e.event_type = 'order_modified')::integer as modifications
      from ledger.events e
     where e.event_type in ('order_cancel_requested', 'order_modified')
     group by 1, 2
  ),
  j as (
    select o.*, coalesce(f.filled, 0) as filled, f.cost, f.fees, f.first_fill, f.last_fill, coalesce(f.fills, 0) as fills, f.last_price, f.venue,
           case when f.filled > 0 then f.cost / f.filled end as avg_fill, case o.side when 'SELL' then -1 else 1 end as s,
           coalesce(c.cancels, 0) as cancels, coalesce(c.modifications, 0) as modifications
      from o
      left join f on f.account = o.account and f.order_ref = o.order_ref
      left join c on c.account = o.account and c.client_order_id = o.client_order_id
  )
  select j.account, j.client_order_id, j.order_ref, j.occurred_at, (j.occurred_at at time zone 'America/New_York')::date, j.strategy, j.symbol,
         j.con_id, j.side, j.order_type, j.quantity, j.filled, case when j.quantity > 0 then j.filled / j.quantity end, j.avg_fill,
         j.decision_price, j.arrival_price,
         case when j.arrival_price > 0 and j.avg_fill is not null then j.s * (j.avg_fill - j.arrival_price) / j.arrival_price * 10000 end,
         case when j.decision_price > 0 and j.avg_fill is not null then j.s * (j.avg_fill - j.decision_price) / j.decision_price * 10000 end,
         case when j.arrival_price is not null and j.filled > 0 then j.s * (j.cost - j.filled * j.arrival_price) end,
         case when j.arrival_price is not null and j.decision_price is not null then j.s * j.filled * (j.arrival_price - j.decision_price) end,
         case when j.decision_price is not null and j.last_price is not null then j.s * (j.quantity - j.filled) * (j.last_price - j.decision_price) end,
         coalesce(j.fees, 0),
         case when j.arrival_price is not null and j.decision_price is not null then
           j.s * (coalesce(j.cost, 0) - j.filled * j.arrival_price) + j.s * j.filled * (j.arrival_price - j.decision_price)
           + coalesce(j.s * (j.quantity - j.filled) * (j.last_price - j.decision_price), 0) + coalesce(j.fees, 0) end,
         j.first_fill - j.occurred_at, j.last_fill - j.occurred_at, j.fills, j.cancels, j.modifications, j.venue
    from j
$$;
select reports.materialize('execution_quality', 50, 'select * from reports.execution_quality_all()',
  array['account', 'client_order_id'], array['account, trade_date']);
comment on materialized view reports.execution_quality is 'Execution quality per order of the bot (order_submitted), its broker fills matched by orderRef: fill rate, average fill, slippage against arrival and decision prices, implementation shortfall split Perold''s way, time to first and last fill, cancels and modifications. Definitions in docs/reports.md.';
do $$
declare c record;
begin
  for c in select * from (values
    ('account', 'IB account'), ('client_order_id', 'The bot''s order id'), ('order_ref', 'orderRef: how the broker''s fills are matched to the order'),
    ('submitted_at', 'When the bot submitted it'), ('trade_date', 'New York date of submitted_at'), ('strategy', 'Strategy that placed it'),
    ('symbol', 'Symbol'), ('con_id', 'IB contract id'), ('side', 'BUY or SELL'), ('order_type', 'IB order type'), ('quantity', 'Quantity ordered'),
    ('filled', 'Quantity the broker filled'), ('fill_rate', 'filled / quantity'), ('avg_fill_price', 'Quantity-weighted average fill price'),
    ('decision_price', 'Price when the decision was made (the bot''s)'), ('arrival_price', 'Market price when the order reached the broker (the bot''s)'),
    ('slippage_arrival_bps', 'side x (avg fill - arrival) / arrival x 10,000: positive is a cost'),
    ('slippage_decision_bps', 'side x (avg fill - decision) / decision x 10,000: positive is a cost'),
    ('execution_cost', 'side x filled x (avg fill - arrival), trade currency'), ('delay_cost', 'side x filled x (arrival - decision)'),
    ('opportunity_cost', 'side x unfilled x (last fill price - decision); NULL when nothing filled'),
    ('fees', 'Commissions of the order''s fills'), ('shortfall', 'Implementation shortfall: execution + delay + opportunity (0 when NULL) + fees'),
    ('first_fill_after', 'Time from submission to the first fill'), ('last_fill_after', 'Time from submission to the last fill'),
    ('fills', 'Number of fills'), ('cancels', 'Cancel requests the bot sent'), ('modifications', 'Modifications the bot sent'),
    ('venue', 'Exchange most of the order''s fills executed on (IB''s execution exchange)')) x(col, doc) loop
    execute format('comment on column reports.execution_quality.%I is %L', c.col, c.doc);
  end loop;
end
$$;

create or replace view reports.execution_quality_daily as
select q.account, q.trade_date, q.strategy, q.symbol, q.order_type, count(*)::integer as orders, sum(q.quantity) as quantity, sum(q.filled) as filled,
       case when sum(q.quantity) > 0 then sum(q.filled) / sum(q.quantity) end as fill_rate,
       sum(q.slippage_arrival_bps * q.filled) / nullif(sum(q.filled) filter (where q.slippage_arrival_bps is not null), 0) as slippage_arrival_bps,
       sum(q.slippage_decision_bps * q.filled) / nullif(sum(q.filled) filter (where q.slippage_decision_bps is not null), 0) as slippage_decision_bps,
       sum(q.shortfall) as shortfall, sum(q.fees) as fees, sum(q.cancels)::integer as cancels, sum(q.modifications)::integer as modifications,
       q.venue
  from reports.execution_quality q
 group by q.account, q.trade_date, q.strategy, q.symbol, q.order_type, q.venue;
comment on view reports.execution_quality_daily is 'Execution quality per account, day, strategy, symbol, order type and venue (sum or roll up further in SQL): orders, fill rate, fill-weighted slippage, shortfall, fees, cancels, modifications.';
do $$
declare c record;
begin
  for c in select * from (values
    ('account', 'IB account'), ('trade_date', 'New York date the orders were submitted'), ('strategy', 'Strategy'), ('symbol', 'Symbol'),
    ('order_type', 'IB order type'), ('orders', 'Orders submitted'), ('quantity', 'Quantity ordered'), ('filled', 'Quantity filled'),
    ('fill_rate', 'filled / quantity'), ('slippage_arrival_bps', 'Slippage against arrival, weighted by quantity filled (bps)'),
    ('slippage_decision_bps', 'Slippage against decision, weighted by quantity filled (bps)'), ('shortfall', 'Sum of implementation shortfall'),
    ('fees', 'Sum of commissions'), ('cancels', 'Cancel requests'), ('modifications', 'Modifications'),
    ('venue', 'Venue (the exchange most of an order''s fills executed on; NULL for orders without fills)')) x(col, doc) loop
    execute format('comment on column reports.execution_quality_daily.%I is %L', c.col, c.doc);
  end loop;
end
$$;
