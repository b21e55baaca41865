-- Positions, three ways, per (account, instrument): the bot's latest position_snapshot,
-- IB's latest complete positions snapshot, and the position IB's own fills add up to since
-- the opening point. Quantities compare to the instrument's precision (tolerance
-- position.quantity), average cost within tolerance. Everything read is recorded at or
-- before p_as_of.
--
-- The opening point: IB's last complete snapshot completed before the start of p_as_of's
-- New York day (else its first complete snapshot of that day); the fills are IB's (latest
-- correction of each) that occurred after it. Without a complete IB snapshot nothing is
-- compared: an incomplete or missing snapshot is never read as flat.
--
-- An instrument is its IB conId; a bot position without con_id takes the conId of the IB
-- position with the same symbol, sec_type and currency, else it stands for itself.

-- IB's positions in one complete snapshot, latest row per conId recorded at or before p_as_of.
drop function if exists recon.ib_snapshot_positions(text, text, timestamptz);
create or replace function recon.ib_snapshot_positions(p_account text, p_snapshot text, p_as_of timestamptz, p_con_ids bigint[] default null)
returns table (con_id bigint, symbol text, sec_type text, currency text, qty numeric, avg_cost numeric)
language sql stable security definer set search_path = '' as $$
  select distinct on (ledger.to_bigint(e.payload -> 'contract' ->> 'con_id'))
         ledger.to_bigint(e.payload -> 'contract' ->> 'con_id'), e.payload -> 'contract' ->> 'symbol', e.payload -> 'contract' ->> 'sec_type',
         e.payload -> 'contract' ->> 'currency', ledger.to_numeric(e.payload ->> 'position'), ledger.to_numeric(e.payload ->> 'avg_cost')
    from ledger.events e
   where e.event_type = 'ib_position' and e.payload ->> 'snapshot_id' = p_snapshot and e.account = p_account and e.recorded_at <= p_as_of
     and (p_con_ids is null or e.entity_id = any(array(select p_account || ':' || c from unnest(p_con_ids) c)))
   order by ledger.to_bigint(e.payload -> 'contract' ->> 'con_id'), e.seq desc
$$;

-- Complete positions snapshots as of a time, newest first.
create or replace function recon.ib_complete_snapshots(p_as_of timestamptz)
returns table (snapshot_id text, completed_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select e.payload ->> 'snapshot_id', min(e.recorded_at)
    from ledger.events e
   where e.event_type = 'ib_snapshot_end' and e.entity_id = 'positions' and e.payload ? 'snapshot_id' and e.recorded_at <= p_as_of
   group by 1
   order by 2 desc
$$;

drop function if exists recon.check_positions(text, timestamptz);
-- p_con_ids: only these instruments (a run after a fill); NULL: every position.
create or replace function recon.check_positions(p_account text, p_as_of timestamptz, p_con_ids bigint[] default null) returns setof recon.finding
language plpgsql stable security definer set search_path = '' as $$
declare
  v_latest   text;
  v_open     text;
  v_open_at  timestamptz;
  v_day      timestamptz := (date_trunc('day', p_as_of at time zone 'America/New_York')) at time zone 'America/New_York';
  v_bot_seq  bigint;
begin
  select s.snapshot_id into v_latest from recon.ib_complete_snapshots(p_as_of) s limit 1;
  select e.seq into v_bot_seq from ledger.events e
   where e.event_type = 'position_snapshot' and e.account = p_account and e.recorded_at <= p_as_of
   order by e.occurred_at desc, e.seq desc limit 1;
  if v_latest is null or v_bot_seq is null then
    return query select 'position'::text, '*'::text, 'position.not_compared'::text, 'skipped'::text, 0::numeric,
      jsonb_build_object('reason', case when v_latest is null then 'no complete IB positions snapshot recorded by then'
                                        else 'no position_snapshot from the bot recorded by then' end), null::jsonb;
    return;
  end if;
  select s.snapshot_id, s.completed_at into v_open, v_open_at from recon.ib_complete_snapshots(p_as_of) s
   where s.completed_at < v_day order by s.completed_at desc limit 1;
  if v_open is null then
    select s.snapshot_id, s.completed_at into v_open, v_open_at from recon.ib_complete_snapshots(p_as_of) s
     order by s.completed_at limit 1;
  end if;

  return query
  with ib as materialized (select * from recon.ib_snapshot_positions(p_account, v_latest, p_as_of, p_con_ids) s where s.qty <> 0),
  opening as (select * from recon.ib_snapshot_positions(p_account, v_open, p_as_of, p_con_ids)),
  -- IB's fills after the opening point: the latest correction of each.
  ib_fills as (
    select distinct on (coalesce(e.payload ->> 'exec_base', e.entity_id)) ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
           e.payload ->> 'side' as side, ledger.to_numeric(e.payload ->> 'shares') as quantity
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account = p_account and e.occurred_at > v_open_at and e.recorded_at <= p_as_of
     order by coalesce(e.payload ->> 'exec_base', e.entity_id), e.entity_id desc, e.seq desc
  ),
  fills as (
    select f.con_id, sum(case f.side when 'BOT' then f.quantity when 'SLD' then -f.quantity else 0 end) as qty
      from ib_fills f
     where p_con_ids is null or f.con_id = any(p_con_ids)
     group by 1
  ),
  -- Each asset class in the data with its tolerances (its own row, else '*').
  tol as (
    select st.sec_type, q.abs_tol as q_abs, q.rel_tol as q_rel, c.abs_tol as c_abs, c.rel_tol as c_rel
      from (select distinct coalesce(sec_type, '*') as sec_type from ib union select '*') st
     cross join lateral recon.tolerance_for('position.quantity', st.sec_type) q
     cross join lateral recon.tolerance_for('position.avg_cost', st.sec_type) c
  ),
  from_fills as (
    select coalesce(o.con_id, f.con_id) as con_id, coalesce(o.qty, 0) + coalesce(f.qty, 0) as qty
      from opening o full join fills f on f.con_id = o.con_id
  ),
  -- The bot's items: all of them, or (after a fill) only those of the instruments asked
  -- for and those without a conId, picked out by jsonpath instead of unnesting them all.
  bot_items as (
    select x.item from ledger.events e
     cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload -> 'positions') = 'array' then e.payload -> 'positions' else '[]' end) as x(item)
     where e.seq = v_bot_seq and p_con_ids is null
    union all
    select x.item from ledger.events e
     cross join lateral unnest(p_con_ids) as c(con_id)
     cross join lateral jsonb_path_query(e.payload, '$.positions[*] ? (@.contract.con_id == $c)', jsonb_build_object('c', c.con_id)) as x(item)
     where e.seq = v_bot_seq and p_con_ids is not null
    union all
    select x.item from ledger.events e
     cross join lateral jsonb_path_query(e.payload, '$.positions[*] ? (!exists(@.contract.con_id))') as x(item)
     where e.seq = v_bot_seq and p_con_ids is not null
  ),
  bot_raw as (
    select ledger.to_bigint(x.item -> 'contract' ->> 'con_id') as con_id, x.item -> 'contract' ->> 'symbol' as symbol,
           x.item -> 'contract' ->> 'sec_type' as sec_type, x.item -> 'contract' ->> 'currency' as currency,
           ledger.to_numeric(x.item ->> 'quantity') as qty, ledger.to_numeric(x.item ->> 'avg_cost') as avg_cost
      from bot_items x
  ),
  bot_kept as (select * from bot_raw b where b.qty <> 0 and (p_con_ids is null or b.con_id = any(p_con_ids) or b.con_id is null)),
  bot as (
    select coalesce(b.con_id, (select i.con_id from ib i where i.symbol = b.symbol and i.sec_type = b.sec_type and i.currency = b.currency limit 1)) as con_id,
           coalesce(b.con_id::text, (select i.con_id::text from ib i where i.symbol = b.symbol and i.sec_type = b.sec_type and i.currency = b.currency limit 1),
                    b.symbol || '|' || b.sec_type || '|' || b.currency) as key,
           b.symbol, b.sec_type, b.currency, sum(b.qty) as qty, max(b.avg_cost) as avg_cost
      from bot_kept b
     group by 1, 2, 3, 4, 5
  ),
  joined as (
    select coalesce(i.con_id::text, b.key) as key, coalesce(i.symbol, b.symbol) as symbol, coalesce(i.sec_type, b.sec_type) as sec_type,
           coalesce(i.qty, 0) as ib_qty, coalesce(b.qty, 0) as bot_qty, ff.qty as fills_qty,
           i.avg_cost as ib_cost, b.avg_cost as bot_cost
      from ib i
      full join bot b on b.key = i.con_id::text
      left join from_fills ff on ff.con_id = coalesce(i.con_id, b.con_id)
  ),
  judged as (
    select j.*,
           abs(j.bot_qty - j.ib_qty) <= t.q_abs + t.q_rel * abs(j.ib_qty) as bot_ok,
           j.fills_qty is null or abs(j.fills_qty - j.ib_qty) <= t.q_abs + t.q_rel * abs(j.ib_qty) as fills_ok,
           j.bot_cost is null or j.ib_cost is null or abs(j.bot_cost - j.ib_cost) <= t.c_abs + t.c_rel * abs(j.ib_cost) as cost_ok,
           abs(j.bot_qty - j.fills_qty) <= t.q_abs + t.q_rel * abs(j.fills_qty) as bot_fills_ok
      from joined j
      join tol t on t.sec_type = coalesce((select x.sec_type from tol x where x.sec_type = j.sec_type), '*')
  )
  select 'position', j.key,
         case when not j.bot_ok and j.fills_ok then 'position.bot_differs'
              when j.bot_ok and not j.fills_ok then 'position.fills_differ'
              when not j.bot_ok and not j.fills_ok and coalesce(j.bot_fills_ok, false) then 'position.broker_differs'
              when not j.bot_ok then 'position.all_differ'
              when not j.cost_ok then 'position.avg_cost_mismatch'
              when j.bot_qty = j.ib_qty and (j.bot_cost is null or j.bot_cost = j.ib_cost) then 'position.matched'
              else 'position.matched_within_tolerance' end,
         case when not (j.bot_ok and j.fills_ok and j.cost_ok) then 'discrepancy'
              when j.bot_qty = j.ib_qty and (j.bot_cost is null or j.bot_cost = j.ib_cost) then 'matched' else 'within_tolerance' end,
         greatest(abs(j.bot_qty - j.ib_qty), abs(coalesce(j.fills_qty, j.ib_qty) - j.ib_qty)) * coalesce(j.ib_cost, j.bot_cost, 0)
           + case when j.cost_ok then 0 else abs(j.bot_cost - j.ib_cost) * abs(j.ib_qty) end,
         jsonb_build_object('symbol', j.symbol, 'sec_type', j.sec_type, 'snapshot_id', v_latest, 'opening_snapshot_id', v_open, 'opening_at', v_open_at,
           'disagrees', to_jsonb(array_remove(array[case when not j.bot_ok then 'bot' end, case when not j.fills_ok then 'fills' end], null)),
           'fields', jsonb_path_query_array(jsonb_build_array(
             case when j.bot_qty is distinct from j.ib_qty or j.fills_qty is distinct from j.ib_qty then
               jsonb_build_object('field', 'quantity', 'broker', j.ib_qty, 'bot', j.bot_qty, 'fills', j.fills_qty, 'difference', j.bot_qty - j.ib_qty) end,
             case when j.bot_cost is distinct from j.ib_cost and j.bot_cost is not null and j.ib_cost is not null then
               jsonb_build_object('field', 'avg_cost', 'broker', j.ib_cost, 'bot', j.bot_cost, 'difference', j.bot_cost - j.ib_cost) end
           ), '$[*] ? (@ != null)')),
         null::jsonb
    from judged j;
end
$$;
comment on function recon.check_positions(text, timestamptz, bigint[]) is 'One finding per instrument: the bot''s latest position_snapshot against IB''s latest complete snapshot and the position IB''s fills add up to since the opening point; names which source disagrees. Skipped (never read as flat) without a complete IB snapshot or a bot snapshot.';
