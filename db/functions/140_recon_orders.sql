-- Orders: what the bot believes of each order it submitted (its latest order_status)
-- against what IB last said (openOrder / orderStatus / completedOrder), linked by orderRef,
-- else by IB orderId. Also the bot's orders IB never acknowledged (after
-- order_ack_timeout_s) and IB's orders the bot never sent (placed by hand in TWS).

create or replace function recon.check_orders(p_account text, p_as_of timestamptz) returns setof recon.finding
language sql stable security definer set search_path = '' as $$
  with bot as (
    select distinct on (e.payload ->> 'client_order_id') e.payload ->> 'client_order_id' as client_order_id, e.payload ->> 'order_ref' as order_ref,
           ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id, e.occurred_at,
           ledger.to_numeric(e.payload ->> 'quantity') as quantity,
           ledger.to_numeric(e.payload ->> 'quantity') * coalesce(ledger.to_numeric(e.payload ->> 'limit_price'), ledger.to_numeric(e.payload ->> 'arrival_price'), 0) as notional
      from ledger.events e
     where e.event_type = 'order_submitted' and e.account = p_account and e.recorded_at <= p_as_of
     order by e.payload ->> 'client_order_id', e.seq
  ),
  bot_status as (
    select distinct on (e.payload ->> 'client_order_id') e.payload ->> 'client_order_id' as client_order_id, e.payload ->> 'status' as status,
           ledger.to_bigint(e.payload ->> 'perm_id') as perm_id, ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id
      from ledger.events e
     where e.event_type = 'order_status' and e.account = p_account and e.recorded_at <= p_as_of
     order by e.payload ->> 'client_order_id', e.seq desc
  ),
  ib_orders as (
    select distinct on (coalesce(ledger.to_bigint(e.payload ->> 'perm_id'), -e.seq))
           ledger.to_bigint(e.payload ->> 'perm_id') as perm_id, ledger.to_bigint(e.payload ->> 'order_id') as order_id, e.payload ->> 'order_ref' as order_ref,
           coalesce(nullif(e.payload ->> 'completed_status', ''), e.payload ->> 'status') as status, e.event_type = 'ib_completed_order' as completed
      from ledger.events e
     where e.event_type in ('ib_open_order', 'ib_completed_order') and e.account = p_account and e.recorded_at <= p_as_of
     order by coalesce(ledger.to_bigint(e.payload ->> 'perm_id'), -e.seq), e.seq desc
  ),
  ib as (
    select o.perm_id, o.order_id, o.order_ref,
           coalesce((select s.payload ->> 'status' from ledger.events s
                      where s.event_type = 'ib_order_status' and s.entity_id = o.perm_id::text and s.recorded_at <= p_as_of
                      order by s.seq desc limit 1), o.status) as status
      from ib_orders o
  ),
  -- IB's fills carry the orderRef too: an order that filled (and so left the open orders
  -- before the relay saw it) is acknowledged by its fills.
  ib_fills as (
    select e.payload ->> 'order_ref' as order_ref, max(ledger.to_bigint(e.payload ->> 'perm_id')) as perm_id,
           sum(ledger.to_numeric(e.payload ->> 'shares')) as filled
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of and e.payload ->> 'order_ref' is not null
       and e.payload ->> 'order_ref' in (select b.order_ref from bot b)
     group by 1
  ),
  linked as (
    select b.client_order_id, b.occurred_at, b.notional, s.status as bot_status_raw,
           coalesce(i.perm_id, f.perm_id) as perm_id,
           coalesce(i.status, case when f.filled >= b.quantity then 'Filled' when f.filled > 0 then 'PartiallyFilled' end) as ib_status
      from bot b
      left join bot_status s on s.client_order_id = b.client_order_id
      left join lateral (
        select i.* from ib i
         where (b.order_ref is not null and i.order_ref = b.order_ref)
            or (coalesce(s.perm_id, 0) <> 0 and i.perm_id = s.perm_id)
            or (coalesce(b.ib_order_id, s.ib_order_id) is not null and i.order_id = coalesce(b.ib_order_id, s.ib_order_id))
         order by (i.order_ref = b.order_ref) desc nulls last limit 1) i on true
      left join ib_fills f on f.order_ref = b.order_ref
  )
  select 'order', l.client_order_id,
         case when l.perm_id is null and l.occurred_at <= p_as_of - make_interval(secs => recon.setting('order_ack_timeout_s')) then 'order.unacknowledged'
              when l.perm_id is null then 'order.pending_ack'
              when (l.bot_status_raw is null or l.bot_status_raw in ('PendingSubmit', 'PreSubmitted', 'Submitted', 'ApiPending', 'PendingCancel'))
               and l.ib_status in ('Filled', 'Cancelled', 'ApiCancelled', 'Inactive') then 'order.status_mismatch'
              else 'order.matched' end,
         case when l.perm_id is null and l.occurred_at <= p_as_of - make_interval(secs => recon.setting('order_ack_timeout_s')) then 'discrepancy'
              when l.perm_id is null then 'pending'
              when (l.bot_status_raw is null or l.bot_status_raw in ('PendingSubmit', 'PreSubmitted', 'Submitted', 'ApiPending', 'PendingCancel'))
               and l.ib_status in ('Filled', 'Cancelled', 'ApiCancelled', 'Inactive') then 'discrepancy'
              else 'matched' end,
         coalesce(l.notional, 0),
         jsonb_build_object('perm_id', l.perm_id, 'fields', case
           when l.perm_id is null then jsonb_build_array(jsonb_build_object('field', 'acknowledged', 'broker', null, 'bot', coalesce(l.bot_status_raw, 'submitted')))
           when l.bot_status_raw is distinct from l.ib_status
           then jsonb_build_array(jsonb_build_object('field', 'status', 'broker', l.ib_status, 'bot', coalesce(l.bot_status_raw, 'submitted, no status since'))) else '[]'::jsonb end),
         null::jsonb
    from linked l
  union all
  select 'order', 'perm:' || coalesce(i.perm_id::text, '?'), 'order.unknown_to_bot', 'discrepancy', 0,
         jsonb_build_object('perm_id', i.perm_id, 'order_ref', i.order_ref, 'fields', jsonb_build_array(jsonb_build_object('field', 'order', 'broker', i.status, 'bot', null))),
         null::jsonb
    from ib i
   where not exists (select 1 from linked l where l.perm_id = i.perm_id)
$$;
