-- Three-way reconciliation: the broker's statement (IB Flex, the book of record) as a third
-- source beside the bot and the live feed. One finding per statement fill, per position and
-- per currency at the latest statement's report date; every category names the source that
-- disagrees with the statement (statement.*_live_differs, statement.*_bot_differs,
-- statement.execution_missing_live, statement.execution_missing_in_statement, ...).
-- Read as of p_as_of (statement rows imported by then), so a past run repeats exactly.
--
-- Rules (those of the executions check, applied to the statement):
--   * a statement fill the live feed never sent is appended as a backfilled ib_execution
--     (outcome corrected; the executions check then compares the bot against it and, after
--     the fill window, appends the bot's missing fill by its own rule); inside the fill
--     window it is pending;
--   * a live fill on a day a statement covers that the statement does not hold is a
--     discrepancy, and so is one the statement cancelled;
--   * commissions: the statement's is final for fills before p_as_of's New York day; a live
--     commission that differs beyond tolerance is corrected by appending the final one as an
--     ib_commission (the executions check then holds the bot to it).

create or replace function recon.check_statement(p_account text, p_as_of timestamptz) returns setof recon.finding
language plpgsql stable security definer set search_path = '' as $fn$
declare
  v_window interval := make_interval(secs => recon.setting('fill_window_s'));
  v_today  date := (p_as_of at time zone 'America/New_York')::date;
  v_report date;
  v_end    timestamptz;
  v_snap   text;
  v_snap_at timestamptz;
  v_bot_seq bigint;
  v_since  date;
  v_last   bigint;
begin
  -- An account without statements (most, until Flex is set up) has nothing to compare: no
  -- finding at all, rather than a "not compared" on every run.
  if not exists (select 1 from ledger.events e where e.source = 'flex' and e.event_type = 'flex_statement' and e.account = p_account and e.recorded_at <= p_as_of) then
    return;
  end if;

  -- Rows are read up to the account's last statement event visible as of p_as_of: an import
  -- writes its rows first and its statements last, in one transaction, and recorded_at is
  -- the time of each insert, not of the commit; a run repeated later must not see rows of
  -- an import that had not committed when it first ran.
  select max(e.seq) into v_last from ledger.events e
   where e.source = 'flex' and e.event_type = 'flex_statement' and e.account = p_account and e.recorded_at <= p_as_of;

  -- Executions of the days statement_days before the latest end of a statement with trades.
  select max(s.to_date) - recon.setting('statement_days')::integer into v_since from ledger.flex_statements s
   where s.account = p_account and s.imported_at <= p_as_of and (s.sections is null or s.sections && array['Trades', 'TradeConfirms']);
  if v_since is null then
    v_since := 'infinity'::date;
  end if;
  return query
  with cover as (
    -- the days the account's statements cover (at most a year each, as IB allows), and
    -- until when: a statement generated during its last day (a Trade Confirmation of today)
    -- cannot hold the fills after it, so those are not "missing in the statement"
    select d::date as day, max(coalesce(s.when_generated, 'infinity'::timestamptz)) as until
      from ledger.flex_statements s
     cross join lateral generate_series(s.from_date, least(s.to_date, s.from_date + 400), interval '1 day') d
     where s.account = p_account and s.imported_at <= p_as_of and s.from_date is not null and s.to_date is not null and s.to_date >= v_since
       -- a statement whose query has no trades section says nothing about fills
       and (s.sections is null or s.sections && array['Trades', 'TradeConfirms'])
     group by 1
  ),
  -- The statement's trade rows as of p_as_of: an execution in a Trade Confirmation and an
  -- Activity statement once (the Activity's), a row that a cancellation or correction
  -- imported by then replaces marked so (as flex_trades does as of now).
  rows_ as materialized (
    -- only the columns used: each read column is a cast per row (all of them: 80 us a row)
    select t.seq, t.statement_type, t.exec_id, t.transaction_id, t.trade_id, t.side, t.quantity, t.price, t.commission, t.commission_currency,
           t.trade_time, t.trade_date, t.con_id, t.symbol, t.sec_type, t.currency, t.multiplier, t.order_ref, t.order_id, t.cancel, t.correct,
           t.orig_transaction_id, t.orig_trade_id
      from ledger.flex_trade_rows t
     where t.account = p_account and t.recorded_at <= p_as_of and t.seq <= v_last
       and t.occurred_at >= (v_since - 3)::timestamp at time zone 'America/New_York' and t.trade_date >= v_since
  ),
  r as (
    select x.* from rows_ x
     where x.statement_type = 'AF' or x.exec_id is null
        or not exists (select 1 from rows_ a where a.exec_id = x.exec_id and a.statement_type = 'AF')
  ),
  -- the rows that replace others, by what they point at (hash joins, as in flex_trades: a
  -- lookup per statement fill was quadratic)
  k as materialized (select * from r where r.cancel or r.correct),
  k_txn as (select distinct on (orig_transaction_id) * from k where orig_transaction_id is not null order by orig_transaction_id, seq),
  k_trade as (select distinct on (orig_trade_id) * from k where orig_trade_id is not null order by orig_trade_id, seq),
  k_exec as (select distinct on (exec_id) * from k where cancel and exec_id is not null and orig_transaction_id is null and orig_trade_id is null order by exec_id, seq),
  s_all as (
    select t.exec_id, case when strpos(t.exec_id, '.') > 0 then regexp_replace(t.exec_id, '\.[^.]*$', '') else t.exec_id end as exec_base,
           t.side, abs(t.quantity) as quantity, t.price, t.commission, t.commission_currency, t.trade_time, t.trade_date, t.con_id, t.symbol,
           t.sec_type, t.currency, t.multiplier, t.order_ref, t.order_id, t.transaction_id, t.seq,
           coalesce(c1.transaction_id, c2.transaction_id, c3.transaction_id) as cancelled_by_transaction_id,
           coalesce(c1.transaction_id, c2.transaction_id, c3.transaction_id) is not null as cancelled
      from r t
      left join k_txn c1 on c1.orig_transaction_id = t.transaction_id and c1.seq <> t.seq
      left join k_trade c2 on c2.orig_trade_id = t.trade_id and c2.seq <> t.seq
      left join k_exec c3 on c3.exec_id = t.exec_id and c3.seq <> t.seq
     where not t.cancel and t.exec_id is not null
  ),
  -- one standing row per execution (the latest, should IB list one twice), and the
  -- replaced ones that nothing stands for any more
  s as materialized (
    select * from (select distinct on (exec_id) * from s_all where not cancelled order by exec_id, seq desc) y
    union all
    select x.* from s_all x
     where x.cancelled and not exists (select 1 from s_all y where not y.cancelled and y.exec_base = x.exec_base)
  ),
  l_all as materialized (
    select e.entity_id as exec_id, coalesce(e.payload ->> 'exec_base', e.entity_id) as exec_base,
           case e.payload ->> 'side' when 'BOT' then 'BUY' when 'SLD' then 'SELL' else e.payload ->> 'side' end as side,
           ledger.to_numeric(e.payload ->> 'shares') as quantity, ledger.to_numeric(e.payload ->> 'price') as price,
           coalesce(e.payload -> 'contract' ->> 'sec_type', '*') as sec_type, e.occurred_at, e.seq,
           coalesce(ledger.to_boolean(e.payload ->> 'from_statement'), false) as from_statement,
           -- a fill backfilled from a statement carries its commission itself (as the
           -- executions check reads it): without this, the run after a backfill judged it
           -- statement.commission_missing_live and appended an ib_commission repeating it
           ledger.to_numeric(e.payload ->> 'commission') as own_commission
      from ledger.events e
     where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of
       and e.occurred_at >= (v_since - 1)::timestamp at time zone 'America/New_York'
  ),
  -- the latest correction of each execution
  l as materialized (
    select distinct on (exec_base) * from l_all order by exec_base, exec_id desc, seq desc
  ),
  l_comm as (
    select distinct on (e.entity_id) e.entity_id as exec_id, ledger.to_numeric(e.payload ->> 'commission') as commission
      from ledger.events e
     where e.event_type = 'ib_commission' and e.recorded_at <= p_as_of and e.entity_id in (select exec_id from l)
     order by e.entity_id, e.seq desc
  ),
  tol as (select * from recon.execution_tolerances()),
  pairs as (
    select s.*, l.exec_id as l_exec_id, l.side as l_side, l.quantity as l_quantity, l.price as l_price, coalesce(c.commission, l.own_commission) as l_commission,
           coalesce(t.q_abs, d.q_abs) as q_abs, coalesce(t.q_rel, d.q_rel) as q_rel, coalesce(t.p_abs, d.p_abs) as p_abs,
           coalesce(t.p_rel, d.p_rel) as p_rel, coalesce(t.c_abs, d.c_abs) as c_abs, coalesce(t.c_rel, d.c_rel) as c_rel
      from s
      left join l on l.exec_base = s.exec_base
      left join l_comm c on c.exec_id = l.exec_id
      left join tol t on t.sec_type = coalesce(s.sec_type, '*')
      cross join (select * from tol where sec_type = '*') d
     where not s.cancelled
  ),
  judged as (
    select p.*,
           p.l_exec_id is not null and p.side = p.l_side
             and abs(abs(p.quantity) - p.l_quantity) <= p.q_abs + p.q_rel * p.l_quantity
             and abs(p.price - p.l_price) <= p.p_abs + p.p_rel * abs(p.l_price) as core_ok,
           -- final for earlier days; a live fill whose commission report never came gets it too
           p.l_exec_id is null or p.commission is null or p.trade_date >= v_today
             or (p.l_commission is not null and abs(p.commission - p.l_commission) <= p.c_abs + p.c_rel * abs(p.commission)) as comm_ok
      from pairs p
  )
  select 'statement'::text, j.exec_id,
         case when j.l_exec_id is null then case when j.trade_time > p_as_of - v_window then 'statement.execution_pending_live' else 'statement.execution_missing_live' end
              when not j.core_ok then 'statement.execution_live_differs'
              when not j.comm_ok and j.l_commission is null then 'statement.commission_missing_live'
              when not j.comm_ok then 'statement.commission_live_differs'
              when j.quantity = j.l_quantity and j.price = j.l_price then 'statement.execution_matched'
              else 'statement.execution_matched_within_tolerance' end,
         case when j.l_exec_id is null then case when j.trade_time > p_as_of - v_window then 'pending' else 'corrected' end
              when not j.core_ok then 'discrepancy'
              when not j.comm_ok then 'corrected'
              when j.quantity = j.l_quantity and j.price = j.l_price then 'matched'
              else 'within_tolerance' end,
         case when j.l_exec_id is null or not j.core_ok then abs(j.quantity * j.price - coalesce(j.l_quantity * j.l_price, 0))
              when not j.comm_ok then abs(j.commission - coalesce(j.l_commission, 0)) else 0::numeric end,
         jsonb_build_object('source', 'statement', 'transaction_id', j.transaction_id, 'live_exec_id', j.l_exec_id, 'fields', to_jsonb(array_remove(array[
           case when j.l_exec_id is null then jsonb_build_object('field', 'quantity', 'statement', j.quantity, 'live', null) end,
           case when j.l_exec_id is not null and j.side is distinct from j.l_side then jsonb_build_object('field', 'side', 'statement', j.side, 'live', j.l_side) end,
           case when j.l_exec_id is not null and j.quantity is distinct from j.l_quantity then jsonb_build_object('field', 'quantity', 'statement', j.quantity, 'live', j.l_quantity, 'difference', j.l_quantity - j.quantity) end,
           case when j.l_exec_id is not null and j.price is distinct from j.l_price then jsonb_build_object('field', 'price', 'statement', j.price, 'live', j.l_price, 'difference', j.l_price - j.price) end,
           case when not j.comm_ok then jsonb_build_object('field', 'commission', 'statement', j.commission, 'live', j.l_commission, 'difference', j.l_commission - j.commission) end
         ], null))),
         case when j.l_exec_id is null and j.trade_time <= p_as_of - v_window then
           jsonb_build_object('event_type', 'ib_execution', 'entity_type', 'execution', 'entity_id', j.exec_id, 'occurred_at', j.trade_time,
             'idempotency_key', 'recon:statement:execution:' || p_account || ':' || j.exec_id,
             'payload', jsonb_strip_nulls(jsonb_build_object('exec_id', j.exec_id, 'exec_base', j.exec_base, 'order_ref', j.order_ref,
               'contract', jsonb_strip_nulls(jsonb_build_object('con_id', j.con_id, 'symbol', j.symbol, 'sec_type', j.sec_type, 'currency', j.currency,
                 'multiplier', case when j.multiplier > 1 then j.multiplier::text end)),
               'side', case j.side when 'BUY' then 'BOT' when 'SELL' then 'SLD' end, 'shares', j.quantity::text, 'price', j.price::text,
               'commission', j.commission::text, 'commission_currency', j.commission_currency, 'statement_order_id', j.order_id,
               'time', j.trade_time, 'from_statement', true)))
              when j.l_exec_id is not null and j.core_ok and not j.comm_ok then
           jsonb_build_object('event_type', 'ib_commission', 'entity_type', 'execution', 'entity_id', j.l_exec_id,
             'idempotency_key', 'recon:statement:commission:' || p_account || ':' || j.l_exec_id || ':' || j.commission::text,
             'payload', jsonb_build_object('exec_id', j.l_exec_id, 'commission', j.commission::text, 'currency', j.commission_currency, 'from_statement', true))
         end
    from judged j
  union all
  -- live fills the statement holds cancelled, or does not hold on a day it covers
  select 'statement', l.exec_id,
         case when c.exec_id is not null then 'statement.execution_cancelled' else 'statement.execution_missing_in_statement' end,
         'discrepancy', l.quantity * l.price,
         jsonb_build_object('source', 'live', 'fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'statement', case when c.exec_id is not null then 0 end, 'live', l.quantity)),
                            'cancelled_by_transaction_id', c.transaction_id),
         null::jsonb
    from l
    -- the cancelling row's transaction id (the cancelled fill's own is not what the detail names)
    -- one per execution (a fill corrected, then the correction cancelled, has two): the latest
    left join (select distinct on (x.exec_base) x.exec_base, x.exec_id, x.cancelled_by_transaction_id as transaction_id
                 from s x where x.cancelled order by x.exec_base, x.seq desc) c on c.exec_base = l.exec_base
   where not l.from_statement
     and (c.exec_id is not null
          -- (a fill within the fill window of the statement's generation may not have reached it yet)
          -- futures and FX trade from 17:00 New York for the next trade date (as IB's statement dates them)
          or (exists (select 1 from cover v where v.day = ((l.occurred_at at time zone 'America/New_York')
                                                           + case when l.sec_type in ('FUT', 'FOP', 'CASH', 'CMDTY') then interval '7 hours' else interval '0' end)::date
                                               and v.day >= v_since
                                               and l.occurred_at <= v.until - v_window)
              and not exists (select 1 from s where s.exec_base = l.exec_base)));

  -- Positions and cash at the latest Activity statement's end (its report date's close,
  -- v_end). The live position then is IB's latest complete snapshot moved to v_end by the
  -- live fills between the two (taken back when the snapshot came after, added when
  -- before): an agent that ran all week took its snapshot on Monday, one started this
  -- morning took it after the close. The live cash is IB's balance nearest v_end on either
  -- side with no fill between it and v_end, else not compared.
  select max(s.to_date) into v_report from ledger.flex_statements s
   where s.account = p_account and s.type = 'AF' and s.imported_at <= p_as_of and (s.sections is null or s.sections && array['OpenPositions', 'CashReport']);
  if v_report is null then
    return;
  end if;
  v_end := ((v_report + 1)::timestamp at time zone 'America/New_York');
  select x.snapshot_id, x.completed_at into v_snap, v_snap_at from recon.ib_complete_snapshots(p_as_of) x limit 1;
  select e.seq into v_bot_seq from ledger.events e
   where e.event_type = 'position_snapshot' and e.account = p_account and e.recorded_at <= least(v_end, p_as_of)
   order by e.occurred_at desc, e.seq desc limit 1;

  -- only when a statement of that day has the positions section (an empty one: flat)
  if exists (select 1 from ledger.flex_statements s where s.account = p_account and s.type = 'AF' and s.imported_at <= p_as_of
                and s.to_date = v_report and (s.sections is null or 'OpenPositions' = any(s.sections))) then
    return query
    with sp as (
      select p.con_id, p.symbol, p.sec_type, p.quantity from ledger.flex_positions p
       where p.account = p_account and p.report_date = v_report and p.recorded_at <= p_as_of and p.seq <= v_last
    ),
    moved as (
      select f.con_id, sum(case when f.occurred_at > v_end then 1 else -1 end * case f.side when 'BOT' then f.quantity when 'SLD' then -f.quantity else 0 end) as qty
        from (select distinct on (coalesce(e.payload ->> 'exec_base', e.entity_id)) ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
                     e.payload ->> 'side' as side, ledger.to_numeric(e.payload ->> 'shares') as quantity, e.occurred_at
                from ledger.events e
               where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of and v_snap is not null
                 and e.occurred_at > least(v_end, v_snap_at) and e.occurred_at <= greatest(v_end, v_snap_at)
               order by coalesce(e.payload ->> 'exec_base', e.entity_id), e.entity_id desc, e.seq desc) f
       group by 1
    ),
    lp as (
      select coalesce(x.con_id, m.con_id) as con_id, coalesce(x.qty, 0) - coalesce(m.qty, 0) as qty
        from (select y.con_id, y.qty from recon.ib_snapshot_positions(p_account, v_snap, p_as_of) y where v_snap is not null) x
        full join moved m on m.con_id = x.con_id
    ),
    bp as (
      select ledger.to_bigint(x.item -> 'contract' ->> 'con_id') as con_id, sum(ledger.to_numeric(x.item ->> 'quantity')) as qty
        from ledger.events e
       cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload -> 'positions') = 'array' then e.payload -> 'positions' else '[]' end) as x(item)
       where e.seq = v_bot_seq
       group by 1
    ),
    allc as (
      select coalesce(sp.con_id, lp.con_id) as con_id, sp.symbol, sp.sec_type, coalesce(sp.quantity, 0) as s_qty,
             case when v_snap is null then null else coalesce(lp.qty, 0) end as l_qty
        from sp full join (select * from lp where qty <> 0) lp on lp.con_id = sp.con_id
    ),
    j as (
      select a.*, case when v_bot_seq is null then null else coalesce(b.qty, 0) end as b_qty,
             q.abs_tol, q.rel_tol
        from allc a left join bp b on b.con_id = a.con_id
       cross join lateral recon.tolerance_for('position.quantity', coalesce(a.sec_type, '*')) q
    )
    select 'statement'::text, 'position:' || v_report || ':' || j.con_id,
           case when j.l_qty is not null and abs(j.l_qty - j.s_qty) > j.abs_tol + j.rel_tol * abs(j.s_qty) then 'statement.position_live_differs'
                when j.l_qty is null and j.b_qty is not null and abs(j.b_qty - j.s_qty) > j.abs_tol + j.rel_tol * abs(j.s_qty) then 'statement.position_bot_differs'
                when j.l_qty is null and j.b_qty is null then 'statement.position_not_compared'
                else 'statement.position_matched' end,
           case when j.l_qty is not null and abs(j.l_qty - j.s_qty) > j.abs_tol + j.rel_tol * abs(j.s_qty) then 'discrepancy'
                when j.l_qty is null and j.b_qty is not null and abs(j.b_qty - j.s_qty) > j.abs_tol + j.rel_tol * abs(j.s_qty) then 'discrepancy'
                when j.l_qty is null and j.b_qty is null then 'skipped'
                else 'matched' end,
           0::numeric,
           jsonb_build_object('report_date', v_report, 'con_id', j.con_id, 'symbol', j.symbol,
             'fields', jsonb_build_array(jsonb_build_object('field', 'quantity', 'statement', j.s_qty, 'live', j.l_qty, 'bot', j.b_qty))),
           null::jsonb
      from j;
  end if;

  -- Cash: the statement's ending cash per currency against IB's CashBalance (else the
  -- summary's TotalCashValue in that currency) nearest v_end.
  return query
  with sc as (
    -- one row per currency (a daily and a month-to-date statement both end that day): the latest
    select distinct on (c.currency) c.currency, c.ending_cash from ledger.flex_cash_report c
     where c.account = p_account and c.to_date = v_report and c.recorded_at <= p_as_of and c.seq <= v_last
       and c.currency ~ '^[A-Z]{3}$' and c.ending_cash is not null
     order by c.currency, c.seq desc
  ),
  vals as (
    select e.payload ->> 'currency' as currency, coalesce(e.payload ->> 'key', e.payload ->> 'tag') as key,
           ledger.to_numeric(e.payload ->> 'value') as value, e.recorded_at, e.seq
      from ledger.events e
     where e.event_type in ('ib_account_value', 'ib_account_summary') and e.account = p_account and e.recorded_at <= p_as_of
       and coalesce(e.payload ->> 'key', e.payload ->> 'tag') in ('CashBalance', 'TotalCashValue')
       and e.payload ->> 'currency' in (select currency from sc)
  ),
  best as (
    select v.* from vals v
     where v.key = 'CashBalance' or not exists (select 1 from vals w where w.currency = v.currency and w.key = 'CashBalance')
  ),
  before as (select distinct on (currency) * from best where recorded_at <= v_end order by currency, recorded_at desc, seq desc),
  after as (select distinct on (currency) * from best where recorded_at > v_end order by currency, recorded_at, seq),
  lc as (
    select sc.currency,
           case when b.value is not null and not exists (
                       select 1 from ledger.events e where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of
                          and e.occurred_at > b.recorded_at and e.occurred_at <= v_end) then b.value
                when a.value is not null and not exists (
                       select 1 from ledger.events e where e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= p_as_of
                          and e.occurred_at > v_end and e.occurred_at <= a.recorded_at) then a.value end as value,
           coalesce(b.value, a.value) is not null as any_value
      from sc left join before b on b.currency = sc.currency left join after a on a.currency = sc.currency
  )
  select 'statement'::text, 'cash:' || v_report || ':' || sc.currency,
         case when lc.value is null then 'statement.cash_not_compared'
              when not recon.within('cash.amount', null, lc.value, sc.ending_cash) then 'statement.cash_live_differs'
              else 'statement.cash_matched' end,
         case when lc.value is null then 'skipped' when not recon.within('cash.amount', null, lc.value, sc.ending_cash) then 'discrepancy' else 'matched' end,
         coalesce(abs(lc.value - sc.ending_cash), 0),
         jsonb_build_object('report_date', v_report, 'currency', sc.currency,
           'reason', case when lc.value is null and lc.any_value then 'fills happened between IB''s cash balances and the close of the report date'
                          when lc.value is null then 'no cash balance from IB' end,
           'fields', jsonb_build_array(jsonb_build_object('field', 'cash.' || sc.currency, 'statement', sc.ending_cash, 'live', lc.value, 'difference', lc.value - sc.ending_cash))),
         null::jsonb
    from sc join lc on lc.currency = sc.currency;
end
$fn$;
comment on function recon.check_statement(text, timestamptz) is 'Three-way reconciliation against IB Flex statements imported by p_as_of: each statement fill against the live feed (a fill the feed never sent is backfilled as an ib_execution; a final commission that differs is appended as an ib_commission), live fills the statement cancelled or lacks on a day it covers, and positions and cash at the latest Activity statement''s report date against the live feed (the bot where the feed has no snapshot). Categories statement.* name the source that disagrees.';
