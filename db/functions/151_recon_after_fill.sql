-- After a fill lands in the ledger, reconcile its account a few seconds later: the row
-- trigger enqueues graphile-worker's recon_after_fill job (agent/jobs/recon_after_fill.ts).
-- The job key is per account and replaces the pending job, so a burst of fills leaves one
-- job that runs 5 seconds after the last fill (debounce), and two agents share one job.

-- The agent's job queue (schema graphile_worker) is installed by the agent when its jobs
-- start, and is owned by blotter_owner (agent/jobs/runner.ts): this definer function is
-- owned by blotter_owner too, which is what lets it write past graphile-worker's row-level
-- security for whoever inserted the fill (blotter_agent).
-- A fill is never refused for want of a queue: without the schema (jobs disabled) nothing
-- is enqueued and the hourly and close runs reconcile; with a queue this function may not
-- use (installed by another role and not yet adopted by the agent) it warns, once per
-- transaction, and still records the fill.
create or replace function recon.tg_events__enqueue_after_fill() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_owner oid;
  v_problem text;
  v_seen text := coalesce(pg_catalog.current_setting('blotter.after_fill_accounts', true), '');
  v_tag text := '|' || new.account || '|';
begin
  -- Once per account and transaction: a COPY of 5,000 fills enqueues one job, not 5,000
  -- upserts of the same job row (which halved the ingest's throughput).
  if pg_catalog.strpos(v_seen, v_tag) > 0 then
    return new;
  end if;
  perform pg_catalog.set_config('blotter.after_fill_accounts', v_seen || v_tag, true);
  select n.nspowner into v_owner from pg_catalog.pg_namespace n where n.nspname = 'graphile_worker';
  if v_owner is null then
    return new;
  end if;
  -- Ownership first: without it even looking add_job up is refused (schema USAGE).
  if not pg_catalog.pg_has_role(v_owner, 'USAGE') then
    v_problem := pg_catalog.format('schema graphile_worker is owned by %s, not usable by %s; starting the agent with jobs enabled hands it to blotter_owner',
                                   v_owner::regrole, current_user);
  elsif pg_catalog.to_regproc('graphile_worker.add_job') is null then
    v_problem := 'schema graphile_worker has no single add_job function';
  end if;
  if v_problem is not null then
    if pg_catalog.current_setting('blotter.after_fill_warned', true) is distinct from 'on' then
      raise warning 'recon_after_fill not enqueued for account % (execution seq %): %', new.account, new.seq, v_problem;
      perform pg_catalog.set_config('blotter.after_fill_warned', 'on', true);
    end if;
    return new;
  end if;
  perform graphile_worker.add_job(
    'recon_after_fill',
    payload => pg_catalog.json_build_object('account', new.account),
    -- All reconciliations share one queue, so they run one at a time, in order.
    queue_name => 'recon',
    -- clock_timestamp, not now(): a long COPY of fills debounces from its last row.
    run_at => pg_catalog.clock_timestamp() + interval '5 seconds',
    max_attempts => 3,
    job_key => 'recon_after_fill:' || new.account,
    job_key_mode => 'replace');
  return new;
end
$$;

-- The WHEN clause keeps every other event from paying for the trigger at all. A BEFORE
-- trigger numbered after _200_chain runs only for rows the chain kept (a duplicate it
-- dropped never gets here), and, unlike an AFTER ROW trigger, queues nothing per row.
drop trigger if exists _400_enqueue_recon_after_fill on ledger.events;
create or replace trigger _250_enqueue_recon_after_fill before insert on ledger.events
  for each row when (new.event_type in ('execution', 'ib_execution') and new.account is not null)
  execute function recon.tg_events__enqueue_after_fill();
