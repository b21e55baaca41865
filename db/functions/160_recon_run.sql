-- A reconciliation run: every family's findings as of p_as_of, corrections appended as
-- events, breaks opened, updated and cleared as events, and the run itself as an event,
-- all in stream 'recon'. The run id is derived from (account, as_of, scope), and every
-- event it appends has a key made from it, so repeating a run appends nothing and
-- returns the same summary.
--
-- Breaks: identity is category + key (an execId, a conId, a currency, an order), so a
-- re-run updates a break instead of opening another. States: open → acknowledged →
-- resolved | escalated, cleared by the run that no longer sees it, reopened when it comes
-- back after being cleared (or, once resolved, when it comes back different). Only the
-- review functions below, which blotter_reviewer may execute, record reviews; the actor is
-- the session's user.

-- Which families a scope covers.
create or replace function recon.scope_entities(p_scope text) returns text[]
language sql immutable parallel safe as $$
  select case
    when p_scope in ('all', 'close', 'weekly', 'monthly', 'manual') then array['execution', 'position', 'cash', 'account', 'pnl', 'order', 'statement']
    -- the statement changes once a day: the close run and a run after each import look at it
    when p_scope = 'hourly' then array['execution', 'position', 'cash', 'account', 'pnl', 'order']
    when p_scope = 'statement' then array['statement']
    when p_scope = 'after_fill' then array['execution', 'position']
    when p_scope = 'executions' then array['execution']
    when p_scope = 'positions' then array['position']
    when p_scope = 'cash' then array['cash', 'account']
    when p_scope = 'pnl' then array['pnl']
    when p_scope = 'orders' then array['order']
  end
$$;

-- Break states as of a time (the view recon.breaks is this as of now).
create or replace function recon.break_states(p_as_of timestamptz)
returns table (break_id text, account text, category text, entity text, key text, status text, severity text, amount numeric,
               detail jsonb, first_seen_at timestamptz, last_seen_at timestamptz, last_run_id text,
               reviewed_by text, reviewed_at timestamptz, review_note text)
language sql stable security definer set search_path = '' rows 100 as $$
  with d as (
    select distinct on (e.entity_id) e.entity_id as break_id, e.account, e.payload, e.recorded_at, e.seq
      from ledger.events e
     where e.event_type = 'recon_break' and e.recorded_at <= p_as_of
     order by e.entity_id, e.seq desc
  ),
  -- The latest (re)opening: age, and so severity, counts from there.
  o as (
    select distinct on (e.entity_id) e.entity_id as break_id, e.seq, (e.payload ->> 'as_of')::timestamptz as first_seen_at
      from ledger.events e
     where e.event_type = 'recon_break' and e.payload ->> 'state' in ('opened', 'reopened') and e.recorded_at <= p_as_of
     order by e.entity_id, e.seq desc
  ),
  r as (
    select distinct on (e.entity_id) e.entity_id as break_id, e.payload ->> 'action' as action, privacy.reveal(e.actor) as actor, e.recorded_at, e.payload ->> 'note' as note
      from ledger.events e join o on o.break_id = e.entity_id and e.seq > o.seq
     where e.event_type = 'recon_break_review' and e.recorded_at <= p_as_of
     order by e.entity_id, e.seq desc
  )
  select d.break_id, d.account, d.payload ->> 'category', d.payload ->> 'entity', d.payload ->> 'key',
         case when d.payload ->> 'state' = 'cleared' then 'cleared'
              when r.action = 'resolve' then 'resolved'
              when r.action = 'escalate' then 'escalated'
              when r.action = 'acknowledge' then 'acknowledged'
              else 'open' end,
         d.payload ->> 'severity', (d.payload ->> 'amount')::numeric, d.payload -> 'detail', o.first_seen_at,
         (d.payload ->> 'as_of')::timestamptz, d.payload ->> 'run_id', r.actor, r.recorded_at, r.note
    from d join o using (break_id) left join r using (break_id)
$$;

create or replace function recon.reconcile(p_account text, p_as_of timestamptz default null, p_scope text default 'all')
returns table (run_id uuid, account text, as_of timestamptz, scope text, entity text, total integer, matched integer,
               within_tolerance integer, corrected integer, pending integer, discrepancies integer, skipped integer,
               breaks_opened integer, breaks_updated integer, breaks_cleared integer, status text)
language plpgsql volatile security definer set search_path = '' as $$
#variable_conflict use_column
declare
  v_as_of    timestamptz := coalesce(p_as_of, pg_catalog.now());
  v_entities text[] := recon.scope_entities(p_scope);
  v_run      uuid;
  v_f        recon.finding[];
  v_since    timestamptz;
  v_since_seq bigint;
  v_ids      text[];
  v_cons     bigint[];
  v_partial  boolean := false;
  v_opened   integer;
  v_updated  integer;
  v_cleared  integer;
begin
  if p_account is null or p_account = '' then
    raise exception 'recon.reconcile: an account is required' using errcode = '22023';
  end if;
  if v_entities is null then
    raise exception 'recon.reconcile: unknown scope % (all, hourly, close, weekly, monthly, manual, after_fill, executions, positions, cash, pnl, orders, statement)', p_scope
      using errcode = '22023';
  end if;
  if not recon.account_known(p_account) then
    raise exception 'recon.reconcile: no account % in the ledger (recon.accounts() lists them)', p_account using errcode = '22023';
  end if;
  if v_as_of > pg_catalog.clock_timestamp() then
    raise exception 'recon.reconcile: as_of % is in the future', v_as_of using errcode = '22023';
  end if;
  v_run := md5(p_account || '|' || to_char(v_as_of at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || p_scope)::uuid;

  -- After a fill, only what changed since the account's previous run: the fills appended
  -- since, and the positions in the instruments they touched. Fills still pending then
  -- are looked at again by the next full run (hourly). Without a previous run, everything.
  if p_scope = 'after_fill' then
    -- The previous run's position in the journal: fills appended after it are the new ones
    -- (a backfilled fill included, whatever its execution time).
    select e.seq, (e.payload ->> 'as_of')::timestamptz into v_since_seq, v_since
      from ledger.events e where e.event_type = 'recon_run' and e.account = p_account and e.recorded_at <= v_as_of
     order by e.seq desc limit 1;
    if v_since is not null then
      v_partial := true;
      select coalesce(array_agg(distinct x.id) filter (where x.id is not null), '{}'), coalesce(array_agg(distinct x.con_id) filter (where x.con_id is not null), '{}')
        into v_ids, v_cons
        from (
          select e.payload ->> 'exec_id' as id, ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id
            from ledger.events e
           where e.seq > v_since_seq and e.event_type = 'execution' and e.account = p_account and e.recorded_at <= v_as_of
          union all
          select y.id, ledger.to_bigint(e.payload -> 'contract' ->> 'con_id')
            from ledger.events e
           cross join lateral (values (e.entity_id), (e.payload ->> 'corrects')) as y(id)
           where e.seq > v_since_seq and e.event_type = 'ib_execution' and e.account = p_account and e.recorded_at <= v_as_of
        ) x;
    end if;
  end if;

  v_f := array(
    select f from recon.check_executions(p_account, v_as_of, case when v_partial then v_ids end) f where 'execution' = any(v_entities)
    union all select f from recon.check_positions(p_account, v_as_of, case when v_partial then v_cons end) f where 'position' = any(v_entities)
    union all select f from recon.check_cash(p_account, v_as_of) f where 'cash' = any(v_entities)
    union all select f from recon.check_pnl(p_account, v_as_of) f where 'pnl' = any(v_entities)
    union all select f from recon.check_orders(p_account, v_as_of) f where 'order' = any(v_entities)
    union all select f from recon.check_statement(p_account, v_as_of) f where 'statement' = any(v_entities));

  -- Corrections: keyed by what they correct (an execId), so no run adds one twice.
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, idempotency_key, payload)
  select 'recon', coalesce((f.correction ->> 'occurred_at')::timestamptz, v_as_of), 'system', f.correction ->> 'event_type',
         f.correction ->> 'entity_type', f.correction ->> 'entity_id', p_account, session_user, f.correction ->> 'idempotency_key',
         (f.correction -> 'payload') || jsonb_build_object('recon_run', v_run::text)
    from unnest(v_f) f
   where f.correction is not null
   order by f.key;

  -- Breaks, compared with their state as of this run.
  with cur as (
    select f.category || ':' || f.key as break_id, f.*
      from unnest(v_f) f where f.outcome = 'discrepancy'
  ),
  st as (select * from recon.break_states(v_as_of) s where s.account = p_account),
  opened as (
    select c.break_id, c.category, c.entity, c.key, c.amount, c.detail, s.status as was, s.first_seen_at,
           case when s.break_id is null then 'opened'
                when s.status = 'cleared' then 'reopened'
                when s.status = 'resolved' and (s.amount is distinct from c.amount or s.detail is distinct from c.detail) then 'reopened'
                when s.status in ('open', 'acknowledged', 'escalated')
                 and (s.amount is distinct from c.amount or s.detail is distinct from c.detail
                      or s.severity is distinct from recon.severity(c.amount, v_as_of - s.first_seen_at)) then 'updated'
           end as state
      from cur c left join st s on s.break_id = c.break_id
  ),
  cleared as (
    select s.break_id, s.category, s.entity, s.key, s.amount, s.detail, s.first_seen_at, 'cleared' as state
      from st s
     where s.status in ('open', 'acknowledged', 'escalated', 'resolved') and s.entity = any(v_entities)
       and not exists (select 1 from cur c where c.break_id = s.break_id)
       -- a partial run clears only what it looked at again
       and (not v_partial or exists (select 1 from unnest(v_f) f where f.entity = s.entity and f.key = s.key))
  ),
  changes as (
    select break_id, category, entity, key, amount, detail, first_seen_at, state from opened where state is not null
    union all
    select break_id, category, entity, key, amount, detail, first_seen_at, state from cleared
  ),
  ins as (
    insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, idempotency_key, payload)
    select 'recon', v_as_of, 'system', 'recon_break', 'break', c.break_id, p_account, session_user,
           'recon:break:' || c.break_id || ':' || v_run::text || ':' || c.state,
           jsonb_build_object('break_id', c.break_id, 'state', c.state, 'category', c.category, 'entity', c.entity, 'key', c.key,
             'severity', recon.severity(c.amount, case when c.state in ('opened', 'reopened') then interval '0' else v_as_of - c.first_seen_at end),
             'amount', c.amount, 'detail', c.detail, 'run_id', v_run::text, 'as_of', v_as_of)
      from changes c
     order by c.break_id
    returning payload ->> 'state' as state
  )
  select count(*) filter (where ins.state in ('opened', 'reopened')), count(*) filter (where ins.state = 'updated'),
         count(*) filter (where ins.state = 'cleared')
    into v_opened, v_updated, v_cleared
    from ins;

  return query
  with s as (
    select f.entity, count(*)::integer as total,
           count(*) filter (where f.outcome = 'matched')::integer as matched,
           count(*) filter (where f.outcome = 'within_tolerance')::integer as within_tolerance,
           count(*) filter (where f.outcome = 'corrected')::integer as corrected,
           count(*) filter (where f.outcome = 'pending')::integer as pending,
           count(*) filter (where f.outcome = 'discrepancy')::integer as discrepancies,
           count(*) filter (where f.outcome = 'skipped')::integer as skipped
      from unnest(v_f) f group by f.entity
  ),
  e as (select x as entity from unnest(v_entities) x),
  summary as (
    select e.entity, coalesce(s.total, 0) as total, coalesce(s.matched, 0) as matched, coalesce(s.within_tolerance, 0) as within_tolerance,
           coalesce(s.corrected, 0) as corrected, coalesce(s.pending, 0) as pending, coalesce(s.discrepancies, 0) as discrepancies,
           coalesce(s.skipped, 0) as skipped,
           case when coalesce(s.discrepancies, 0) > 0 then 'breaks' when coalesce(s.skipped, 0) > 0 then 'not_compared' else 'ok' end as status
      from e left join s using (entity)
  ),
  run as (
    insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, idempotency_key, payload)
    select 'recon', v_as_of, 'system', 'recon_run', 'recon_run', v_run::text, p_account, session_user, 'recon:run:' || v_run::text,
           jsonb_build_object('run_id', v_run::text, 'as_of', v_as_of, 'scope', p_scope, 'partial_since', v_since, 'breaks_opened', v_opened, 'breaks_updated', v_updated,
             'breaks_cleared', v_cleared, 'entities', jsonb_agg(to_jsonb(summary) order by summary.entity))
      from summary
    returning 1
  )
  select v_run, p_account, v_as_of, p_scope, s.entity, s.total, s.matched, s.within_tolerance, s.corrected, s.pending, s.discrepancies,
         s.skipped, v_opened, v_updated, v_cleared, s.status
    from summary s cross join (select count(*) from run) r
   order by s.entity;
end
$$;
comment on function recon.reconcile(text, timestamptz, text) is 'Reconcile one account as of a time (default now) over a scope (all, hourly, close, weekly, monthly, manual, after_fill, executions, positions, cash, pnl, orders, statement): findings, corrections, breaks and the run are appended to the ledger (stream recon); returns the run''s summary per entity. Repeating a run (same account, as_of, scope) appends nothing and returns the same summary.';

-- Runs: one row per run and entity.
create or replace view recon.runs as
select e.payload ->> 'run_id' as run_id, e.account, (e.payload ->> 'as_of')::timestamptz as as_of, e.payload ->> 'scope' as scope,
       e.recorded_at, x.item ->> 'entity' as entity, (x.item ->> 'total')::integer as total, (x.item ->> 'matched')::integer as matched,
       (x.item ->> 'within_tolerance')::integer as matched_within_tolerance, (x.item ->> 'corrected')::integer as corrected,
       (x.item ->> 'pending')::integer as pending, (x.item ->> 'discrepancies')::integer as discrepancies,
       (x.item ->> 'skipped')::integer as skipped, x.item ->> 'status' as status, e.seq
  from ledger.events e
 cross join lateral jsonb_array_elements(e.payload -> 'entities') as x(item)
 where e.event_type = 'recon_run';
comment on view recon.runs is 'Reconciliation runs, one row per run and entity type: records compared, matched, matched within tolerance, corrected (events appended), pending (inside a timing window), discrepancies (breaks) and status.';

create or replace view recon.breaks as
select b.*, recon.severity(b.amount, case when b.status in ('open', 'acknowledged', 'escalated') then pg_catalog.now() - b.first_seen_at end) as severity_now
  from recon.break_states('infinity') b;
comment on view recon.breaks is 'Current state of every break (category + key): open, acknowledged, escalated, resolved or cleared, with the discrepancy (detail.fields: field, broker, bot, difference), severity as last detected and as of now (age raises it).';

create or replace view recon.break_history as
select e.entity_id as break_id, e.account, e.recorded_at, e.event_type,
       coalesce(e.payload ->> 'state', e.payload ->> 'action') as what, e.payload ->> 'severity' as severity,
       e.payload ->> 'run_id' as run_id, privacy.reveal(e.actor) as actor, e.payload ->> 'note' as note, e.payload -> 'detail' as detail, e.seq,
       e.payload ->> 'via' as via, e.payload ->> 'db_role' as db_role, e.payload ->> 'db_user' as db_user
  from ledger.events e
 where e.event_type in ('recon_break', 'recon_break_review');
comment on view recon.break_history is 'Every step of every break, in ledger order: detections (opened, updated, cleared, reopened) by runs and reviews (acknowledge, resolve, escalate) by people. A review made in the review console has via = console, the person as actor (console:NAME), and the console''s database role and login in db_role and db_user.';

-- Review: the only way a break moves by hand. recon.record_review does it for both doors:
-- recon.review_break (a person's own database login, the actor) and
-- console.review_break (the review console's role, naming the person signed in to it).
-- It is the owner's alone: each door decides who the actor is.
create or replace function recon.record_review(p_break_id text, p_action text, p_note text, p_actor text, p_extra jsonb) returns text
language plpgsql security definer set search_path = '' as $$
declare
  v_status text;
  v_account text;
begin
  if p_action is null or p_action not in ('acknowledge', 'resolve', 'escalate') then
    raise exception 'recon.review_break: action must be acknowledge, resolve or escalate, not %', p_action using errcode = '22023';
  end if;
  if p_action = 'resolve' and coalesce(trim(p_note), '') = '' then
    raise exception 'recon.review_break: resolving break % needs a note saying why', p_break_id using errcode = '22023';
  end if;
  select b.status, b.account into v_status, v_account from recon.break_states('infinity') b where b.break_id = p_break_id;
  if not found then
    raise exception 'recon.review_break: no break %', p_break_id using errcode = 'P0002';
  end if;
  if v_status in ('resolved', 'cleared') then
    raise exception 'recon.review_break: break % is already %', p_break_id, v_status using errcode = '55000';
  end if;
  if v_status = 'acknowledged' and p_action = 'acknowledge' or v_status = 'escalated' and p_action = 'escalate' then
    raise exception 'recon.review_break: break % is already %', p_break_id, v_status using errcode = '55000';
  end if;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, payload)
  values ('recon', pg_catalog.clock_timestamp(), 'user', 'recon_break_review', 'break', p_break_id, v_account, p_actor,
          jsonb_build_object('break_id', p_break_id, 'action', p_action, 'note', nullif(trim(coalesce(p_note, '')), ''), 'from', v_status)
            || coalesce(p_extra, '{}'::jsonb));
  return case p_action when 'acknowledge' then 'acknowledged' when 'resolve' then 'resolved' else 'escalated' end;
end
$$;
revoke all on function recon.record_review(text, text, text, text, jsonb) from public;

-- The actor is the session's user: the login of the person at psql or `blotter breaks`.
create or replace function recon.review_break(p_break_id text, p_action text, p_note text) returns text
language sql security definer set search_path = '' as $$
  select recon.record_review(p_break_id, p_action, p_note, session_user, null)
$$;
comment on function recon.review_break(text, text, text) is 'Move a break: acknowledge, resolve (a note is required) or escalate. Recorded as a recon_break_review event whose actor is the session''s user.';

-- How recent an account's last full run must be at p_now: within max_run_age_s of p_now
-- while the market is open (hourly runs), and of the last close while it is not (the close
-- run: nights, weekends and holidays do not go stale). The calendar is recon.market_sessions.
create or replace function recon.run_due_at(p_now timestamptz, out market_open boolean, out due_at timestamptz)
language sql stable as $$
  select coalesce(bool_or(s.open_at <= p_now and p_now < s.close_at), false),
         coalesce(case when bool_or(s.open_at <= p_now and p_now < s.close_at) then p_now
                       else max(s.close_at) filter (where s.close_at <= p_now) end, p_now)
           - make_interval(secs => recon.setting('max_run_age_s'))
    from recon.market_sessions((p_now at time zone 'America/New_York')::date - 10, (p_now at time zone 'America/New_York')::date) s
   where s.is_open
$$;

-- Fail closed: halt unless the account's reconciliation is recent, no critical break is
-- open and the relay is connected.
create or replace view recon.trading_status as
with relay as (
  select e.payload ->> 'state' as state, e.recorded_at
    from ledger.events e
   where e.event_type = 'connection' and e.source = 'ib'
   order by e.seq desc limit 1
),
last_full as (
  -- The newest run that compared everything (not a partial run after a fill, not one
  -- scope): its as_of is what it vouches for, whenever it was recorded.
  select distinct on (e.account) e.account, (e.payload ->> 'as_of')::timestamptz as as_of, e.payload -> 'entities' as entities
    from ledger.events e
   where e.event_type = 'recon_run' and e.payload ->> 'scope' in ('all', 'hourly', 'close', 'weekly', 'monthly', 'manual')
   order by e.account, (e.payload ->> 'as_of')::timestamptz desc
),
per as (
  select a.account, l.as_of as last_run_at,
         exists (select 1 from jsonb_array_elements(l.entities) x where x ->> 'entity' = 'position' and x ->> 'status' = 'not_compared') as positions_unknown,
         (select count(*) from recon.breaks b where b.account = a.account and b.status in ('open', 'acknowledged', 'escalated')) as open_breaks,
         (select count(*) from recon.breaks b where b.account = a.account and b.status in ('open', 'acknowledged', 'escalated')
                                               and b.severity_now = 'critical') as critical_breaks
    from recon.accounts() a
    left join last_full l on l.account = a.account
)
select p.account,
       case when cardinality(r.reasons) = 0 then 'ok' else 'halt' end as status,
       r.reasons, p.last_run_at, p.open_breaks, p.critical_breaks, (select state from relay) as relay_state, pg_catalog.now() as checked_at
  from per p
 cross join lateral recon.run_due_at(pg_catalog.now()) m
 cross join lateral (
   select array_remove(array[
     case when p.critical_breaks > 0 then p.critical_breaks || ' critical break(s) open' end,
     case when p.positions_unknown and recon.setting('positions_required') = 1 then 'positions were not compared in the last full reconciliation (no complete IB positions snapshot, or no bot snapshot)' end,
     case when p.last_run_at is null then 'never reconciled in full'
          when p.last_run_at < m.due_at
          then 'last reconciliation at ' || p.last_run_at || ' is older than ' || recon.setting('max_run_age_s') || ' s'
               || case when m.market_open then '' else ' before the last close' end end,
     case when recon.setting('relay_required') = 1 and coalesce((select state from relay), 'none') not in ('connected', 'backfill_complete', 'broker_connection_restored')
          then 'IB relay ' || coalesce((select state from relay), 'never connected') end
   ], null) as reasons) r;
comment on view recon.trading_status is 'Per account: ok, or halt with the reasons (a critical break open; the last full reconciliation, by its as_of, older than max_run_age_s while the market is open, or than max_run_age_s before the last close while it is not, or unable to compare positions; the IB relay not connected; the relay serves every account of its login, so its state counts for all). A bot checks it before sending orders; GET /v1/trading-status serves it.';
