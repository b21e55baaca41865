-- Refreshing the materialized reports, and asking for it.
--
-- reports.refresh() refreshes every materialized report (or the ones named) in position
-- order, CONCURRENTLY (readers keep reading the old rows meanwhile), in one transaction, so
-- the reports always agree with each other, and records each in reports.refreshes. Its
-- callers: the agent's reports_refresh task (agent/jobs/reports_refresh.ts), `blotter
-- demo`, and a DBA.
--
-- What asks for it: the ledger itself. A trigger enqueues graphile-worker's reports_refresh
-- job when fills, commissions, statements, cash flows or closing reconciliations land; one
-- job key, mode preserve_run_at, so a burst (or a steady stream) of fills costs one refresh
-- a minute at most, and two agents share the job. Without the job queue (jobs disabled)
-- nothing is enqueued and nothing is refused.

-- work_mem: the reports sort a million fills at a time; in memory that takes a third of the
-- time it takes spilled to disk (and this is one session, once a minute at most).
create or replace function reports.refresh(p_reason text default 'manual', p_names text[] default null)
returns table (name text, row_count bigint, duration_ms numeric)
language plpgsql volatile security definer set search_path = '' set work_mem = '256MB' as $$
#variable_conflict use_column
declare
  r      record;
  v_t0   timestamptz;
  v_rows bigint;
  v_seq  bigint;
  v_any  boolean;
begin
  if p_names is not null and exists (select 1 from unnest(p_names) n where n not in (select x.name from reports.refreshes x)) then
    raise exception 'reports.refresh: unknown report(s) %; materialized reports are: %',
      (select string_agg(n, ', ') from unnest(p_names) n where n not in (select x.name from reports.refreshes x)),
      (select string_agg(x.name, ', ' order by x.position) from reports.refreshes x)
      using errcode = '22023';
  end if;
  -- one refresh at a time (the second waits, then refreshes what the first did not see)
  perform pg_catalog.pg_advisory_xact_lock(7426985132771901);
  v_seq := (select max(e.seq) from ledger.events e);
  -- the refresh fills ask for leaves out the reports marked so (reports.refreshes.after_fills)
  for r in select x.name from reports.refreshes x
            where (p_names is null and (p_reason <> 'fills' or x.after_fills)) or x.name = any (p_names)
            order by x.position, x.name loop
    v_t0 := pg_catalog.clock_timestamp();
    -- concurrently: readers keep the old rows until it commits. An empty report has no
    -- readers to spare that (and a concurrent refresh from empty costs a diff of every row).
    v_any := false;
    if (select c.relispopulated from pg_catalog.pg_class c where c.oid = pg_catalog.to_regclass('reports.' || quote_ident(r.name))) then
      execute format('select exists (select 1 from reports.%I)', r.name) into v_any;
    end if;
    if v_any then
      execute format('refresh materialized view concurrently reports.%I', r.name);
    else
      execute format('refresh materialized view reports.%I', r.name);
    end if;
    execute format('select count(*) from reports.%I', r.name) into v_rows;
    update reports.refreshes x
       set refreshed_at = pg_catalog.clock_timestamp(), duration_ms = round(extract(epoch from pg_catalog.clock_timestamp() - v_t0) * 1000, 1),
           row_count = v_rows, events_through_seq = v_seq, reason = p_reason
     where x.name = r.name
    returning x.name, x.row_count, x.duration_ms into name, row_count, duration_ms;
    return next;
  end loop;
end
$$;
comment on function reports.refresh(text, text[]) is 'Refresh the materialized reports (all, or those named; reason fills: those marked after_fills) in order, concurrently, in one transaction; records each in reports.refreshes. Returns rows and milliseconds per report.';

-- Enqueue the refresh job (when the agent's job queue exists and this role may use it).
-- p_delay: how long after the first request of a burst it runs; later requests before it
-- runs change nothing (preserve_run_at).
create or replace function reports.request_refresh(p_reason text, p_delay interval default interval '60 seconds')
returns boolean
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_owner oid;
begin
  select n.nspowner into v_owner from pg_catalog.pg_namespace n where n.nspname = 'graphile_worker';
  if v_owner is null or not pg_catalog.pg_has_role(v_owner, 'USAGE') or pg_catalog.to_regproc('graphile_worker.add_job') is null then
    return false;
  end if;
  perform graphile_worker.add_job(
    'reports_refresh',
    payload => pg_catalog.json_build_object('reason', p_reason),
    queue_name => 'reports',
    run_at => pg_catalog.clock_timestamp() + p_delay,
    max_attempts => 3,
    job_key => 'reports_refresh',
    job_key_mode => 'preserve_run_at');
  return true;
end
$$;
comment on function reports.request_refresh(text, interval) is 'Ask the agent to refresh the materialized reports after p_delay (one pending job: a second request before it runs changes nothing). False when there is no job queue to ask.';

create or replace function reports.tg_events__request_refresh() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  -- once per transaction: a COPY of a statement's 5,000 rows asks once
  if pg_catalog.current_setting('blotter.refresh_requested', true) is not distinct from 'on' then
    return new;
  end if;
  perform pg_catalog.set_config('blotter.refresh_requested', 'on', true);
  perform reports.request_refresh(
    case when new.source = 'flex' then 'statement' when new.event_type = 'recon_run' then 'recon'
         when new.event_type in ('ib_execution', 'ib_commission', 'execution') then 'fills' else new.event_type end,
    case when new.source = 'flex' or new.event_type = 'recon_run' then interval '5 seconds' else interval '60 seconds' end);
  return new;
end
$$;

-- What changes a report: fills and their commissions, a statement, cash flows, NAV from the
-- bot, and the closing (daily) reconciliations. IB's NetLiquidation ticks are left out on
-- purpose (every few minutes all day); the close's reconciliation picks them up.
drop trigger if exists _260_request_reports_refresh on ledger.events;
create trigger _260_request_reports_refresh before insert on ledger.events
  for each row when (new.event_type in ('ib_execution', 'ib_commission', 'execution', 'flex_statement', 'cash_flow', 'account_snapshot')
                     or (new.event_type = 'recon_run' and new.payload ->> 'scope' in ('close', 'statement', 'weekly', 'monthly')))
  execute function reports.tg_events__request_refresh();

-- Ranges over the materialized reports (any dates, not only whole periods).
create or replace function reports.trades(p_from date, p_to date, p_account text default null)
returns setof reports.trades
language sql stable as $$
  select * from reports.trades t
   where t.close_trade_date between p_from and p_to and (p_account is null or t.account = p_account)
   order by t.account, t.close_time, t.close_exec_id
$$;
comment on function reports.trades(date, date, text) is 'Round trips closed between two New York dates (both included), matched over the whole history (a round trip opened before p_from is whole).';

create or replace function reports.equity(p_from date, p_to date, p_account text default null)
returns setof reports.equity_daily
language sql stable as $$
  select * from reports.equity_daily e
   where e.trade_date between p_from and p_to and (p_account is null or e.account = p_account)
   order by e.account, e.trade_date
$$;
comment on function reports.equity(date, date, text) is 'reports.equity_daily between two dates (both included).';

create or replace function reports.execution(p_from date, p_to date, p_account text default null)
returns setof reports.execution_quality
language sql stable as $$
  select * from reports.execution_quality q
   where q.trade_date between p_from and p_to and (p_account is null or q.account = p_account)
   order by q.account, q.submitted_at, q.client_order_id
$$;
comment on function reports.execution(date, date, text) is 'reports.execution_quality of the orders submitted between two dates (both included).';

-- The ledger's head, for a report file to say which events existed when it was made (a
-- reader of reports has no right in ledger).
create or replace function reports.ledger_head()
returns table (seq bigint, at timestamptz)
language sql stable security definer set search_path = '' as $$
  select e.seq, e.recorded_at from ledger.events e order by e.seq desc limit 1
$$;
comment on function reports.ledger_head() is 'The ledger''s last event: its seq and when it was recorded (what a report file was made from).';
