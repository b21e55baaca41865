-- Executions: the bot's fills (event_type execution, including fills reconciliation
-- inferred earlier) against IB's (ib_execution, with commission reports), reading only
-- events recorded at or before p_as_of, so a past run can be repeated exactly.
--
-- Matching, in order: by execId (a correction, which differs after the last dot, matches
-- the fill it corrects: its exec_base); then by order reference (orderRef or permId) with
-- the same quantity and a price within tolerance, within match_window_s; what is left is
-- one-sided. One finding per fill; the key is IB's execId (else the bot's).

-- (The first version had recon.bot_executions / recon.ib_executions beside this query: the
-- same reading written twice. check_executions below is the one place.)
drop function if exists recon.bot_executions(text, timestamptz);
drop function if exists recon.ib_executions(text, timestamptz);

-- Tolerances per asset class for the execution fields, as columns (one small join
-- instead of a lookup per compared value).
create or replace function recon.execution_tolerances() returns table (sec_type text, q_abs numeric, q_rel numeric, p_abs numeric, p_rel numeric, c_abs numeric, c_rel numeric)
language sql stable security definer set search_path = '' as $$
  select c.sec_type, q.abs_tol, q.rel_tol, p.abs_tol, p.rel_tol, m.abs_tol, m.rel_tol
    from (select distinct t.asset_class as sec_type from recon.tolerances t where t.field like 'execution.%' union select '*') c
   cross join lateral recon.tolerance_for('execution.quantity', c.sec_type) q
   cross join lateral recon.tolerance_for('execution.price', c.sec_type) p
   cross join lateral recon.tolerance_for('execution.commission', c.sec_type) m
$$;

-- p_ids: only these execIds (both sides), for a run after a fill; NULL: every fill.
drop function if exists recon.check_executions(text, timestamptz);
create or replace function recon.check_executions(p_account text, p_as_of timestamptz, p_ids text[] default null) returns setof recon.finding
language plpgsql stable security definer set search_path = '' as $fn$
declare
  v_window interval := make_interval(secs => recon.setting('fill_window_s'));
  v_match  numeric := recon.setting('match_window_s');
  v_bot_filter text := case when p_ids is null then '' else 'and (e.payload ->> ''exec_id'') = any($3)' end;
  v_ib_filter  text := case when p_ids is null then '' else 'and e.entity_id = any($3)' end;
  v_comm_filter text := case when p_ids is null then '' else 'and (e.payload ->> ''exec_id'') = any($3)' end;
begin
  -- Dynamic so each mode gets its own plan: the whole history by hash joins, or a few
  -- execIds by index.
  return query execute format($q$
  -- Every step below is a hash join or a hash aggregate over the fills, never a sort of
  -- them: at 100,000 fills the sorts were most of the cost. Duplicates are rare (the bot
  -- sending one execId twice, IB correcting a fill), so they are found, not assumed.
  with bot_all as materialized (
    select e.payload ->> 'exec_id' as exec_id, e.payload ->> 'order_ref' as order_ref, ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
           e.payload ->> 'side' as side, ledger.to_numeric(e.payload ->> 'quantity') as quantity, ledger.to_numeric(e.payload ->> 'price') as price,
           ledger.to_numeric(e.payload ->> 'commission') as commission, e.occurred_at, e.seq
      from ledger.events e
     where e.event_type = 'execution' and e.account = $1 and e.recorded_at <= $2 %1$s
  ),
  bot_copies as (select exec_id, count(*) as copies from bot_all group by exec_id having count(*) > 1),
  bot_comm_all as materialized (
    select e.payload ->> 'exec_id' as exec_id, ledger.to_numeric(e.payload ->> 'commission') as commission, e.seq
      from ledger.events e
     where e.event_type = 'commission' and e.account = $1 and e.recorded_at <= $2 %3$s
  ),
  bot_comm as (select c.* from bot_comm_all c where not exists (select 1 from bot_comm_all d where d.exec_id = c.exec_id and d.seq > c.seq)),
  bot as materialized (
    select f.exec_id,
           case when strpos(f.exec_id, '.') > 0 then regexp_replace(f.exec_id, '\.[^.]*$', '') else f.exec_id end as exec_base,
           coalesce(d.copies, 1) as copies, f.order_ref, f.perm_id, f.side, f.quantity, f.price,
           coalesce(f.commission, c.commission) as commission, f.occurred_at
      from bot_all f
      left join bot_copies d on d.exec_id = f.exec_id
      left join bot_comm c on c.exec_id = f.exec_id
     -- the first of a duplicated execId stands for it
     where d.exec_id is null or not exists (select 1 from bot_all g where g.exec_id = f.exec_id and g.seq < f.seq)
  ),
  ib_all as materialized (
    select e.entity_id as exec_id, coalesce(e.payload ->> 'exec_base', e.entity_id) as exec_base, e.payload ->> 'order_ref' as order_ref,
           ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
           case e.payload ->> 'side' when 'BOT' then 'BUY' when 'SLD' then 'SELL' else e.payload ->> 'side' end as side,
           ledger.to_numeric(e.payload ->> 'shares') as quantity, ledger.to_numeric(e.payload ->> 'price') as price,
           e.payload -> 'contract' as contract, coalesce(e.payload -> 'contract' ->> 'sec_type', '*') as sec_type, e.occurred_at, e.seq,
           -- a fill backfilled from a statement carries its commission itself
           ledger.to_numeric(e.payload ->> 'commission') as own_commission, e.payload ->> 'commission_currency' as own_commission_currency,
           coalesce(ledger.to_boolean(e.payload ->> 'from_statement'), false) as from_statement
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account = $1 and e.recorded_at <= $2 %2$s
  ),
  -- IB's latest correction of each exec_base (a correction sorts after what it corrects).
  ib_corrected as (select exec_base, max(exec_id) as exec_id from ib_all group by exec_base having count(*) > 1),
  ib_raw as (
    select a.* from ib_all a
     where not exists (select 1 from ib_corrected c where c.exec_base = a.exec_base and c.exec_id <> a.exec_id)
       -- a fill backfilled from a statement that the relay then sent itself: the relay's stands
       and not (a.from_statement and exists (select 1 from ib_all b where b.exec_id = a.exec_id and not b.from_statement))
  ),
  ib_comm_all as materialized (
    select e.entity_id as exec_id, ledger.to_numeric(e.payload ->> 'commission') as commission, e.payload ->> 'currency' as currency, e.seq
      from ledger.events e
     where e.event_type = 'ib_commission' and e.recorded_at <= $2 %2$s
  ),
  ib_comm as (select c.* from ib_comm_all c where not exists (select 1 from ib_comm_all d where d.exec_id = c.exec_id and d.seq > c.seq)),
  ib as materialized (
    select i.*, coalesce(c.commission, i.own_commission) as commission, coalesce(c.currency, i.own_commission_currency) as commission_currency
      from ib_raw i left join ib_comm c on c.exec_id = i.exec_id
  ),
  -- Each asset class in the data with its tolerances (its own row, else '*').
  tol as (
    select st.sec_type, coalesce(t.q_abs, d.q_abs) as q_abs, coalesce(t.q_rel, d.q_rel) as q_rel, coalesce(t.p_abs, d.p_abs) as p_abs,
           coalesce(t.p_rel, d.p_rel) as p_rel, coalesce(t.c_abs, d.c_abs) as c_abs, coalesce(t.c_rel, d.c_rel) as c_rel
      from (select distinct sec_type from ib) st
      left join recon.execution_tolerances() t on t.sec_type = st.sec_type
      cross join (select * from recon.execution_tolerances() x where x.sec_type = '*') d
  ),
  -- 1. by execId; then, for what is left, by the execution a correction corrects
  m_exact as (select b.exec_id as bot_id, i.exec_id as ib_id from ib i join bot b on b.exec_id = i.exec_id),
  m_base as (
    select distinct on (i.exec_base) b.exec_id as bot_id, i.exec_id as ib_id
      from (select * from ib i where not exists (select 1 from m_exact x where x.ib_id = i.exec_id)) i
      join (select * from bot b where not exists (select 1 from m_exact x where x.bot_id = b.exec_id)) b on b.exec_base = i.exec_base
     order by i.exec_base, b.exec_id desc
  ),
  m1 as (select * from m_exact union all select * from m_base),
  cand as (
    select b.exec_id as bot_id, i.exec_id as ib_id,
           row_number() over (partition by b.exec_id order by abs(extract(epoch from b.occurred_at - i.occurred_at)), i.exec_id) as rb,
           row_number() over (partition by i.exec_id order by abs(extract(epoch from b.occurred_at - i.occurred_at)), b.exec_id) as ri
      from (select * from bot b where not exists (select 1 from m1 where m1.bot_id = b.exec_id)) b
      join (select * from ib i where not exists (select 1 from m1 where m1.ib_id = i.exec_id)) i
        on ((b.order_ref is not null and b.order_ref = i.order_ref) or (b.perm_id is not null and b.perm_id = i.perm_id))
       and b.side = i.side
      join tol t on t.sec_type = i.sec_type
     where abs(b.quantity - i.quantity) <= t.q_abs + t.q_rel * abs(i.quantity)
       and abs(b.price - i.price) <= t.p_abs + t.p_rel * abs(i.price)
       and abs(extract(epoch from b.occurred_at - i.occurred_at)) <= $5
  ),
  pairs as (
    select 'exec_id' as how, bot_id, ib_id from m1
    union all
    select 'order_ref', bot_id, ib_id from cand where rb = 1 and ri = 1
  ),
  compared as (
    select p.how, b.exec_id, b.copies, b.side, b.quantity, b.price, b.commission,
           i.exec_id as i_exec_id, i.side as i_side, i.quantity as i_quantity, i.price as i_price, i.commission as i_commission, i.commission_currency,
           b.side = i.side as side_ok,
           coalesce(abs(b.quantity - i.quantity) <= t.q_abs + t.q_rel * abs(i.quantity), false) as qty_ok,
           coalesce(abs(b.price - i.price) <= t.p_abs + t.p_rel * abs(i.price), false) as price_ok,
           b.quantity = i.quantity and b.price = i.price as exact,
           i.commission is null or b.commission is null or abs(b.commission - i.commission) <= t.c_abs + t.c_rel * abs(i.commission) as comm_ok
      from pairs p join bot b on b.exec_id = p.bot_id join ib i on i.exec_id = p.ib_id
      join tol t on t.sec_type = i.sec_type
  ),
  compared2 as (
    select c.*, c.side_ok and c.qty_ok and c.price_ok as core_ok from compared c
  ),
  judged as (
    select c.*,
           case when not c.core_ok then 'execution.mismatch'
                when not c.comm_ok then 'execution.commission_mismatch'
                when c.copies > 1 then 'execution.duplicate'
                when c.commission is null and c.i_commission is not null then 'execution.commission_missing_in_bot'
                when c.exact then 'execution.matched' else 'execution.matched_within_tolerance' end as category
      from compared2 c
  )
  select 'execution'::text, j.i_exec_id, j.category,
         case when j.category in ('execution.mismatch', 'execution.commission_mismatch', 'execution.duplicate') then 'discrepancy'
              when j.category = 'execution.commission_missing_in_bot' then 'corrected'
              when j.category = 'execution.matched' then 'matched' else 'within_tolerance' end,
         case j.category when 'execution.mismatch' then abs(coalesce(j.quantity, 0) * coalesce(j.price, 0) - coalesce(j.i_quantity, 0) * coalesce(j.i_price, 0))
                         when 'execution.commission_mismatch' then abs(j.commission - j.i_commission)
                         when 'execution.duplicate' then (j.copies - 1) * j.i_quantity * j.i_price else 0::numeric end,
         case when j.category = 'execution.matched' then jsonb_build_object('matched_by', j.how)
              else jsonb_build_object('matched_by', j.how, 'bot_exec_id', j.exec_id, 'copies', j.copies, 'fields', to_jsonb(array_remove(array[
           case when not j.side_ok then jsonb_build_object('field', 'side', 'broker', j.i_side, 'bot', j.side) end,
           case when j.quantity is distinct from j.i_quantity then jsonb_build_object('field', 'quantity', 'broker', j.i_quantity, 'bot', j.quantity, 'difference', j.quantity - j.i_quantity) end,
           case when j.price is distinct from j.i_price then jsonb_build_object('field', 'price', 'broker', j.i_price, 'bot', j.price, 'difference', j.price - j.i_price) end,
           case when not j.comm_ok then jsonb_build_object('field', 'commission', 'broker', j.i_commission, 'bot', j.commission, 'difference', j.commission - j.i_commission) end
         ], null))) end,
         case when j.category = 'execution.commission_missing_in_bot' then
           jsonb_build_object('event_type', 'commission', 'entity_type', 'execution', 'entity_id', j.exec_id,
             'idempotency_key', 'recon:commission:' || j.exec_id,
             'payload', jsonb_build_object('exec_id', j.exec_id, 'commission', j.i_commission::text, 'currency', j.commission_currency, 'inferred', true))
         end
    from judged j
  union all
  -- IB only: inside the fill window it may still reach the bot; after it, the bot is told
  select 'execution', i.exec_id,
         case when i.occurred_at > $2 - $4 then 'execution.pending_in_bot' else 'execution.missing_in_bot' end,
         case when i.occurred_at > $2 - $4 then 'pending' else 'corrected' end,
         i.quantity * i.price,
         jsonb_build_object('fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'broker', i.quantity, 'bot', null))),
         case when i.occurred_at <= $2 - $4 then
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
         case when b.occurred_at > $2 - $4 then 'execution.pending_at_broker' else 'execution.missing_at_broker' end,
         case when b.occurred_at > $2 - $4 then 'pending' else 'discrepancy' end,
         b.quantity * b.price,
         jsonb_build_object('fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'broker', null, 'bot', b.quantity))),
         null::jsonb
    from bot b
   where not exists (select 1 from pairs p where p.bot_id = b.exec_id)
  $q$, v_bot_filter, v_ib_filter, v_comm_filter)
  using p_account, p_as_of, p_ids, v_window, v_match;
end
$fn$;
comment on function recon.check_executions(text, timestamptz, text[]) is 'One finding per fill of the account as of p_as_of (or only the execIds in p_ids): matched (by execId or by orderRef/permId + quantity + price), within tolerance, corrected (a fill or a commission the bot lacks is appended), pending (inside fill_window_s) or a discrepancy.';
