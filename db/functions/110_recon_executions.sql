-- Executions: the bot's fills (event_type execution, including fills reconciliation
-- inferred earlier) against IB's (ib_execution, with commission reports), reading only
-- events recorded at or before p_as_of, so a past run can be repeated exactly.
--
-- Matching, in order: by execId (a correction, which differs after the last dot, matches
-- the fill it corrects: its exec_base); then by order reference (orderRef or permId) with
-- the same quantity and a price within tolerance, within match_window_s; what is left is
-- one-sided. One finding per fill; the key is IB's execId (else the bot's).

-- The bot's fills as of a time, with the commission it knows (on the fill, or reported later).
create or replace function recon.bot_executions(p_account text, p_as_of timestamptz)
returns table (exec_id text, exec_base text, copies bigint, order_ref text, perm_id bigint, side text, quantity numeric, price numeric,
               commission numeric, sec_type text, occurred_at timestamptz, recorded_at timestamptz, inferred boolean)
language sql stable security definer set search_path = '' as $$
  with f as (
    select e.payload ->> 'exec_id' as exec_id, e.payload ->> 'order_ref' as order_ref, ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
           e.payload ->> 'side' as side, ledger.to_numeric(e.payload ->> 'quantity') as quantity, ledger.to_numeric(e.payload ->> 'price') as price,
           ledger.to_numeric(e.payload ->> 'commission') as commission, e.payload -> 'contract' ->> 'sec_type' as sec_type,
           e.occurred_at, e.recorded_at, coalesce(ledger.to_boolean(e.payload ->> 'inferred'), false) as inferred, e.seq
      from ledger.events e
     where e.event_type = 'execution' and e.account = p_account and e.recorded_at <= p_as_of
  ), c as (
    select distinct on (e.payload ->> 'exec_id') e.payload ->> 'exec_id' as exec_id, ledger.to_numeric(e.payload ->> 'commission') as commission
      from ledger.events e
     where e.event_type = 'commission' and e.account = p_account and e.recorded_at <= p_as_of
     order by e.payload ->> 'exec_id', e.seq desc
  )
  select distinct on (f.exec_id) f.exec_id,
         case when strpos(f.exec_id, '.') > 0 then regexp_replace(f.exec_id, '\.[^.]*$', '') else f.exec_id end,
         count(*) over (partition by f.exec_id), f.order_ref, f.perm_id, f.side, f.quantity, f.price,
         coalesce(f.commission, c.commission), f.sec_type, f.occurred_at, f.recorded_at, f.inferred
    from f left join c on c.exec_id = f.exec_id
   order by f.exec_id, f.seq
$$;

-- IB's fills as of a time: the latest correction of each exec_base, with its commission.
create or replace function recon.ib_executions(p_account text, p_as_of timestamptz)
returns table (exec_id text, exec_base text, order_ref text, perm_id bigint, side text, quantity numeric, price numeric,
               commission numeric, commission_currency text, realized_pnl numeric, contract jsonb, sec_type text,
               occurred_at timestamptz, recorded_at timestamptz)
language sql stable security definer set search_path = '' as $$
  with x as (
    select distinct on (coalesce(e.payload ->> 'exec_base', e.entity_id)) e.entity_id as exec_id,
           coalesce(e.payload ->> 'exec_base', e.entity_id) as exec_base, e.payload ->> 'order_ref' as order_ref,
           ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
           case e.payload ->> 'side' when 'BOT' then 'BUY' when 'SLD' then 'SELL' else e.payload ->> 'side' end as side,
           ledger.to_numeric(e.payload ->> 'shares') as quantity, ledger.to_numeric(e.payload ->> 'price') as price,
           e.payload -> 'contract' as contract, e.payload -> 'contract' ->> 'sec_type' as sec_type, e.occurred_at, e.recorded_at
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of
     order by coalesce(e.payload ->> 'exec_base', e.entity_id), e.entity_id desc, e.seq desc
  )
  select x.exec_id, x.exec_base, x.order_ref, x.perm_id, x.side, x.quantity, x.price, c.commission, c.currency, c.realized_pnl,
         x.contract, x.sec_type, x.occurred_at, x.recorded_at
    from x
    left join lateral (
      select ledger.to_numeric(k.payload ->> 'commission') as commission, k.payload ->> 'currency' as currency,
             ledger.to_numeric(k.payload ->> 'realized_pnl') as realized_pnl
        from ledger.events k
       where k.event_type = 'ib_commission' and k.entity_id = x.exec_id and k.recorded_at <= p_as_of
       order by k.seq desc limit 1) c on true
$$;

create or replace function recon.check_executions(p_account text, p_as_of timestamptz) returns setof recon.finding
language sql stable security definer set search_path = '' as $$
  with bot as (select * from recon.bot_executions(p_account, p_as_of)),
  ib as (select * from recon.ib_executions(p_account, p_as_of)),
  -- 1. by execId, or by the execution a correction corrects
  m1 as (
    select distinct on (i.exec_base) b.exec_id as bot_id, i.exec_id as ib_id
      from ib i join bot b on b.exec_base = i.exec_base
     order by i.exec_base, b.exec_id = i.exec_id desc, b.exec_id desc
  ),
  bot_left as (select b.* from bot b where not exists (select 1 from m1 where m1.bot_id = b.exec_id)),
  ib_left as (select i.* from ib i where not exists (select 1 from m1 where m1.ib_id = i.exec_id)),
  -- 2. by order reference + quantity + price, within the match window; a pair is taken
  --    when each is the other's nearest candidate in time
  cand as (
    select b.exec_id as bot_id, i.exec_id as ib_id,
           row_number() over (partition by b.exec_id order by abs(extract(epoch from b.occurred_at - i.occurred_at)), i.exec_id) as rb,
           row_number() over (partition by i.exec_id order by abs(extract(epoch from b.occurred_at - i.occurred_at)), b.exec_id) as ri
      from bot_left b join ib_left i
        on ((b.order_ref is not null and b.order_ref = i.order_ref) or (b.perm_id is not null and b.perm_id = i.perm_id))
       and b.side = i.side
       and recon.within('execution.quantity', i.sec_type, b.quantity, i.quantity)
       and recon.within('execution.price', i.sec_type, b.price, i.price)
       and abs(extract(epoch from b.occurred_at - i.occurred_at)) <= recon.setting('match_window_s')
  ),
  m2 as (select bot_id, ib_id from cand where rb = 1 and ri = 1),
  pairs as (
    select 'exec_id' as how, bot_id, ib_id from m1
    union all
    select 'order_ref', bot_id, ib_id from m2
  ),
  compared as (
    select p.how, b.*, i.exec_id as i_exec_id, i.side as i_side, i.quantity as i_quantity, i.price as i_price, i.commission as i_commission,
           i.commission_currency, i.sec_type as i_sec_type, i.recorded_at as i_recorded_at,
           b.side = i.side as side_ok,
           recon.within('execution.quantity', i.sec_type, b.quantity, i.quantity) as qty_ok,
           recon.within('execution.price', i.sec_type, b.price, i.price) as price_ok,
           b.quantity = i.quantity and b.price = i.price as exact,
           i.commission is null or b.commission is null or recon.within('execution.commission', i.sec_type, b.commission, i.commission) as comm_ok
      from pairs p join bot b on b.exec_id = p.bot_id join ib i on i.exec_id = p.ib_id
  )
  -- matched pairs
  select 'execution', c.i_exec_id,
         case when not (c.side_ok and c.qty_ok and c.price_ok) then 'execution.mismatch'
              when not c.comm_ok then 'execution.commission_mismatch'
              when c.copies > 1 then 'execution.duplicate'
              when c.commission is null and c.i_commission is not null then 'execution.commission_missing_in_bot'
              when c.exact then 'execution.matched' else 'execution.matched_within_tolerance' end,
         case when not (c.side_ok and c.qty_ok and c.price_ok and c.comm_ok) or c.copies > 1 then 'discrepancy'
              when c.commission is null and c.i_commission is not null then 'corrected'
              when c.exact then 'matched' else 'within_tolerance' end,
         case when not (c.side_ok and c.qty_ok and c.price_ok) then abs(coalesce(c.quantity, 0) * coalesce(c.price, 0) - coalesce(c.i_quantity, 0) * coalesce(c.i_price, 0))
              when not c.comm_ok then abs(c.commission - c.i_commission)
              when c.copies > 1 then (c.copies - 1) * c.i_quantity * c.i_price else 0 end,
         jsonb_build_object('matched_by', c.how, 'bot_exec_id', c.exec_id, 'copies', c.copies, 'fields', jsonb_path_query_array(jsonb_build_array(
           case when not c.side_ok then jsonb_build_object('field', 'side', 'broker', c.i_side, 'bot', c.side) end,
           case when c.quantity is distinct from c.i_quantity then jsonb_build_object('field', 'quantity', 'broker', c.i_quantity, 'bot', c.quantity, 'difference', c.quantity - c.i_quantity) end,
           case when c.price is distinct from c.i_price then jsonb_build_object('field', 'price', 'broker', c.i_price, 'bot', c.price, 'difference', c.price - c.i_price) end,
           case when not c.comm_ok then jsonb_build_object('field', 'commission', 'broker', c.i_commission, 'bot', c.commission, 'difference', c.commission - c.i_commission) end
         ), '$[*] ? (@ != null)')),
         case when c.commission is null and c.i_commission is not null and c.side_ok and c.qty_ok and c.price_ok then
           jsonb_build_object('event_type', 'commission', 'entity_type', 'execution', 'entity_id', c.exec_id,
             'idempotency_key', 'recon:commission:' || c.exec_id,
             'payload', jsonb_build_object('exec_id', c.exec_id, 'commission', c.i_commission::text, 'currency', c.commission_currency, 'inferred', true))
         end
    from compared c
  union all
  -- IB only: inside the fill window it may still reach the bot; after it, the bot is told
  select 'execution', i.exec_id,
         case when i.occurred_at > p_as_of - make_interval(secs => recon.setting('fill_window_s')) then 'execution.pending_in_bot' else 'execution.missing_in_bot' end,
         case when i.occurred_at > p_as_of - make_interval(secs => recon.setting('fill_window_s')) then 'pending' else 'corrected' end,
         i.quantity * i.price,
         jsonb_build_object('fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'broker', i.quantity, 'bot', null))),
         case when i.occurred_at <= p_as_of - make_interval(secs => recon.setting('fill_window_s')) then
           jsonb_build_object('event_type', 'execution', 'entity_type', 'execution', 'entity_id', i.exec_id, 'occurred_at', i.occurred_at,
             'idempotency_key', 'recon:execution:' || i.exec_id,
             'payload', jsonb_strip_nulls(jsonb_build_object('exec_id', i.exec_id, 'order_ref', i.order_ref, 'perm_id', i.perm_id::text,
               'contract', jsonb_strip_nulls(jsonb_build_object('con_id', ledger.to_bigint(i.contract ->> 'con_id'), 'symbol', i.contract ->> 'symbol',
                 'sec_type', i.contract ->> 'sec_type', 'currency', i.contract ->> 'currency', 'exchange', nullif(i.contract ->> 'exchange', ''),
                 'local_symbol', nullif(i.contract ->> 'local_symbol', ''), 'last_trade_date', nullif(i.contract ->> 'last_trade_date', ''),
                 'strike', case when ledger.to_numeric(i.contract ->> 'strike') > 0 then i.contract ->> 'strike' end,
                 'right', case when i.contract ->> 'right' in ('C', 'P') then i.contract ->> 'right' end,
                 'multiplier', case when ledger.to_numeric(i.contract ->> 'multiplier') > 0 then i.contract ->> 'multiplier' end)),
               'side', i.side, 'quantity', i.quantity::text, 'price', i.price::text, 'commission', i.commission::text,
               'commission_currency', i.commission_currency, 'inferred', true)))
         end
    from ib i
   where not exists (select 1 from pairs p where p.ib_id = i.exec_id)
  union all
  -- bot only
  select 'execution', b.exec_id,
         case when b.occurred_at > p_as_of - make_interval(secs => recon.setting('fill_window_s')) then 'execution.pending_at_broker' else 'execution.missing_at_broker' end,
         case when b.occurred_at > p_as_of - make_interval(secs => recon.setting('fill_window_s')) then 'pending' else 'discrepancy' end,
         b.quantity * b.price,
         jsonb_build_object('fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'broker', null, 'bot', b.quantity))),
         null::jsonb
    from bot b
   where not exists (select 1 from pairs p where p.bot_id = b.exec_id)
$$;
comment on function recon.check_executions(text, timestamptz) is 'One finding per fill of the account as of p_as_of: matched (by execId or by orderRef/permId + quantity + price), within tolerance, corrected (a fill or a commission the bot lacks is appended), pending (inside fill_window_s) or a discrepancy.';
