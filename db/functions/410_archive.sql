-- Archives and purge (migration 000012). `blotter archive` reads a month's partition,
-- writes it to Parquet and records it with retention.record_archive; `blotter purge`
-- reads the archive back, checks it against the month (retention.month_streams), records
-- that (retention.record_verified) and asks retention.purge to drop the month. The rules
-- that make a purge safe are all here, so no client can skip one.

create or replace trigger _100_append_only before update or delete on ledger.checkpoints
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ledger.checkpoints
  for each statement execute function ledger.tg_refuse_change();

-- The partitioned table of a family, and the name of its month partitions.
create or replace function retention.family_table(p_family text) returns text
language sql immutable as $$
  select case p_family when 'ledger_events' then 'ledger.events' when 'ops_logs' then 'ops.logs'
                       when 'ops_metrics' then 'ops.metrics' end
$$;

create or replace function retention.month_partition(p_family text, p_month date) returns regclass
language sql stable set search_path = '' as $$
  select pg_catalog.to_regclass(retention.family_table(p_family) || '_' || pg_catalog.to_char(p_month, 'YYYYMM'))
$$;

-- Every month of the partitioned families: the partitions that exist and the months
-- already purged, with what retention and the archive say about each.
create or replace function reports.archive_months_all()
returns table (family text, month date, partition_name text, rows_estimate bigint, table_bytes bigint, complete boolean,
               protected boolean, archived_at timestamptz, location text, archived_rows bigint, archive_bytes bigint,
               manifest_sha256 text, verified_at timestamptz, purged_at timestamptz)
language sql stable security definer set search_path = '' as $$
  with parts as (
    select f.family, pg_catalog.to_date(m[1], 'YYYYMM') as month, n.nspname || '.' || c.relname as partition_name,
           greatest(c.reltuples, 0)::bigint as rows_estimate, pg_catalog.pg_total_relation_size(c.oid) as table_bytes
      from (values ('ledger_events'), ('ops_logs'), ('ops_metrics')) f(family)
      join pg_catalog.pg_inherits i on i.inhparent = pg_catalog.to_regclass(retention.family_table(f.family))
      join pg_catalog.pg_class c on c.oid = i.inhrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     cross join lateral pg_catalog.regexp_match(c.relname, '_(\d{6})$') m
  )
  select coalesce(p.family, a.family), coalesce(p.month, a.month), p.partition_name, p.rows_estimate, p.table_bytes,
         -- a month is whole once it ended more than a minute ago (see retention.archive_ready)
         (coalesce(p.month, a.month) + interval '1 month') < pg_catalog.now() - interval '1 minute',
         retention.month_protected(coalesce(p.family, a.family), coalesce(p.month, a.month)),
         a.archived_at, a.location, a.rows, a.bytes, a.manifest_sha256, a.verified_at, a.purged_at
    from parts p
    full join retention.archives a on a.family = p.family and a.month = p.month
   order by 1, 2
$$;
comment on function reports.archive_months_all() is 'Every month partition of ledger.events, ops.logs and ops.metrics, and every month already purged: whether it is complete, still kept by its policy, archived, verified, purged.';

-- A month can be archived once it is over: recorded_at is the clock when a row is
-- inserted, so nothing new lands in a month after its end, except rows whose insert began
-- before midnight and took the stream lock after it (a few milliseconds; the minute's
-- margin covers any transaction the agent runs).
create or replace function retention.archive_ready(p_month date) returns boolean
language sql stable as $$
  select (p_month + interval '1 month') < pg_catalog.now() - interval '1 minute'
$$;

-- Per stream, what a month of ledger.events holds: what an archive's manifest must say.
create or replace function retention.month_streams(p_month date)
returns table (stream text, rows bigint, first_stream_seq bigint, last_stream_seq bigint, first_prev_hash text, last_hash text)
language plpgsql stable security definer set search_path = '' as $$
declare
  v_part regclass := retention.month_partition('ledger_events', p_month);
begin
  if v_part is null then
    raise exception 'no partition of ledger.events for %', pg_catalog.to_char(p_month, 'YYYY-MM') using errcode = '42P01';
  end if;
  return query execute format($q$
    select s.stream, s.n, s.lo, s.hi,
           (select pg_catalog.encode(f.prev_hash, 'hex') from %1$s f where f.stream = s.stream and f.stream_seq = s.lo limit 1),
           (select pg_catalog.encode(l.hash, 'hex') from %1$s l where l.stream = s.stream and l.stream_seq = s.hi limit 1)
      from (select e.stream, count(*) as n, min(e.stream_seq) as lo, max(e.stream_seq) as hi
              from %1$s e group by e.stream) s
     order by s.stream collate "C"$q$, v_part);
end
$$;
comment on function retention.month_streams(date) is 'Per stream of a month of ledger.events: rows, first and last stream_seq, the prev_hash of the first row and the hash of the last (hex), as an archive manifest records them.';

create or replace function retention.record_archive(p_family text, p_month date, p_location text, p_manifest_sha256 text,
                                                    p_rows bigint, p_bytes bigint, p_verified boolean)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_part regclass := retention.month_partition(p_family, p_month);
  v_prev retention.archives;
begin
  if v_part is null then
    raise exception 'no partition of % for %', retention.family_table(p_family), pg_catalog.to_char(p_month, 'YYYY-MM') using errcode = '42P01';
  end if;
  select * into v_prev from retention.archives a where a.family = p_family and a.month = p_month for update;
  if v_prev.purged_at is not null then
    raise exception '% % was purged on %; it cannot be archived again', p_family, pg_catalog.to_char(p_month, 'YYYY-MM'), v_prev.purged_at
      using errcode = '55000';
  end if;
  insert into retention.archives as a (family, month, location, manifest_sha256, rows, bytes, table_bytes, verified_at)
  values (p_family, p_month, p_location, p_manifest_sha256, p_rows, p_bytes, pg_catalog.pg_total_relation_size(v_part),
          case when p_verified then pg_catalog.clock_timestamp() end)
  on conflict (family, month) do update
     set location = excluded.location, manifest_sha256 = excluded.manifest_sha256, rows = excluded.rows, bytes = excluded.bytes,
         table_bytes = excluded.table_bytes, archived_at = pg_catalog.clock_timestamp(), archived_by = session_user,
         verified_at = excluded.verified_at;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
  values ('retention', pg_catalog.clock_timestamp(), 'system', 'month_archived', 'archive', p_family || '/' || pg_catalog.to_char(p_month, 'YYYY-MM'),
          session_user,
          pg_catalog.jsonb_build_object('family', p_family, 'month', pg_catalog.to_char(p_month, 'YYYY-MM'), 'location', p_location,
                                        'manifest_sha256', p_manifest_sha256, 'rows', p_rows, 'bytes', p_bytes,
                                        'replaces', v_prev.manifest_sha256));
end
$$;
comment on function retention.record_archive(text, date, text, text, bigint, bigint, boolean) is 'Record that a month was written to an archive (a month_archived event in stream retention); p_verified when the writer read it back and checked it against the month.';

create or replace function retention.record_verified(p_family text, p_month date, p_manifest_sha256 text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update retention.archives a set verified_at = pg_catalog.clock_timestamp()
   where a.family = p_family and a.month = p_month and a.manifest_sha256 = p_manifest_sha256 and a.purged_at is null;
  if not found then
    raise exception 'no archive of % % with manifest %', p_family, pg_catalog.to_char(p_month, 'YYYY-MM'), pg_catalog.left(p_manifest_sha256, 16)
      using errcode = 'P0002';
  end if;
end
$$;

-- The checkpoint each stream's verification starts from (none: genesis).
create or replace view ledger.stream_checkpoints as
  select distinct on (c.stream) c.stream, c.stream_seq, c.hash, c.month, c.manifest_sha256, c.created_at
    from ledger.checkpoints c
   order by c.stream, c.stream_seq desc;
comment on view ledger.stream_checkpoints is 'Per stream, the latest checkpoint: the last purged stream_seq and its hash. verify starts after it.';

-- Drop the oldest months of a family: each past retention, archived, and verified since
-- it was archived (p_manifests names the archive the caller verified, month by month).
-- For the ledger, the months removed must hold a prefix of every stream: recorded_at is
-- taken before the stream lock, so a row inserted at the turn of a month can sit in the
-- earlier month with a higher stream_seq than a row of the later one. Such months must go
-- together (purge them in one call) or wait. Checkpoints, one event per month, then DROP.
create or replace function retention.purge(p_family text, p_months date[], p_manifests text[])
returns table (month date, rows bigint, checkpoints integer)
language plpgsql security definer set search_path = '' as $$
#variable_conflict use_column
declare
  v_table  text := retention.family_table(p_family);
  v_i      integer;
  v_month  date;
  v_part   regclass;
  v_arch   retention.archives;
  v_oldest date;
  v_rows   bigint;
  v_cps    integer;
  v_parts  regclass[] := '{}';
  v_bad    record;
begin
  if v_table is null then
    raise exception 'purge: unknown family % (ledger_events, ops_logs, ops_metrics)', p_family using errcode = '22023';
  end if;
  if coalesce(cardinality(p_months), 0) = 0 or cardinality(p_months) <> coalesce(cardinality(p_manifests), 0) then
    raise exception 'purge: name the months and, for each, the manifest verified' using errcode = '22023';
  end if;
  -- Writers wait while the months go; nothing can append to the streams being checked.
  execute format('lock table %s in share row exclusive mode', v_table);
  for v_i in 1 .. cardinality(p_months) loop
    v_month := p_months[v_i];
    if v_month is null or v_month <> date_trunc('month', v_month)::date then
      raise exception 'purge: % is not the first day of a month', v_month using errcode = '22023';
    end if;
    if v_i > 1 and v_month <> (p_months[v_i - 1] + interval '1 month')::date then
      raise exception 'purge: months must follow each other (% after %)', v_month, p_months[v_i - 1] using errcode = '22023';
    end if;
    v_part := retention.month_partition(p_family, v_month);
    if v_part is null then
      raise exception 'purge: % has no partition for % (already purged?)', v_table, pg_catalog.to_char(v_month, 'YYYY-MM') using errcode = '42P01';
    end if;
    if retention.month_protected(p_family, v_month) then
      raise exception 'retention lock: % of % is kept by the % policy (keep %); it cannot be purged',
        pg_catalog.to_char(v_month, 'YYYY-MM'), v_table, p_family, retention.policy(p_family) using errcode = '42501';
    end if;
    select * into v_arch from retention.archives a where a.family = p_family and a.month = v_month for update;
    if not found then
      raise exception 'purge: % of % was never archived (blotter archive)', pg_catalog.to_char(v_month, 'YYYY-MM'), v_table using errcode = '55000';
    end if;
    if v_arch.manifest_sha256 <> p_manifests[v_i] then
      raise exception 'purge: the archive of % recorded here (manifest %) is not the one verified (%)', pg_catalog.to_char(v_month, 'YYYY-MM'),
        pg_catalog.left(v_arch.manifest_sha256, 16), pg_catalog.left(p_manifests[v_i], 16) using errcode = '55000';
    end if;
    if v_arch.verified_at is null or v_arch.verified_at < v_arch.archived_at then
      raise exception 'purge: the archive of % of % has not been verified since it was written', pg_catalog.to_char(v_month, 'YYYY-MM'), v_table
        using errcode = '55000';
    end if;
    execute format('select count(*) from %s', v_part) into v_rows;
    if v_rows <> v_arch.rows then
      raise exception 'purge: % of % holds % rows, its archive % (archive it again)', pg_catalog.to_char(v_month, 'YYYY-MM'), v_table, v_rows, v_arch.rows
        using errcode = '55000';
    end if;
    v_parts := v_parts || v_part;
  end loop;
  -- Oldest first: no month partition older than the first one named may remain.
  select min(pg_catalog.to_date(m[1], 'YYYYMM')) into v_oldest
    from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
   cross join lateral pg_catalog.regexp_match(c.relname, '_(\d{6})$') m
   where i.inhparent = pg_catalog.to_regclass(v_table);
  if v_oldest < p_months[1] then
    raise exception 'purge: % of % is older and still here; months are purged oldest first', pg_catalog.to_char(v_oldest, 'YYYY-MM'), v_table
      using errcode = '55000';
  end if;

  if p_family = 'ledger_events' then
    -- Every stream's purged rows must be a prefix of it: no row left behind with a lower
    -- stream_seq than one removed.
    execute format($q$
      with gone as (select e.stream, max(e.stream_seq) as hi from ledger.events e where e.tableoid = any($1) group by e.stream)
      select g.stream, g.hi, k.stream_seq as kept, k.recorded_at
        from gone g
        cross join lateral (select e.stream_seq, e.recorded_at from ledger.events e
                             where e.stream = g.stream and e.stream_seq <= g.hi and not (e.tableoid = any($1))
                             order by e.stream_seq limit 1) k
       limit 1$q$) into v_bad using v_parts::oid[];
    if v_bad.stream is not null then
      raise exception 'purge: stream % would have a gap: stream_seq % goes with % but stream_seq % (recorded %) stays in a later month',
        v_bad.stream, v_bad.hi, pg_catalog.to_char(p_months[cardinality(p_months)], 'YYYY-MM'), v_bad.kept, v_bad.recorded_at
        using errcode = '55000',
              hint = 'A row written at the turn of the month sits in the earlier month with a later stream_seq: purge the next month together with it (blotter purge --before a later month), or wait until it is past retention.';
    end if;
  end if;

  for v_i in 1 .. cardinality(p_months) loop
    v_month := p_months[v_i];
    v_part := v_parts[v_i];
    v_cps := 0;
    if p_family = 'ledger_events' then
      -- The checkpoint is each stream's last row in this month; a later month in the same
      -- call moves it on.
      execute format($q$
        insert into ledger.checkpoints (stream, stream_seq, hash, month, manifest_sha256)
        select distinct on (e.stream) e.stream, e.stream_seq, e.hash, $1, $2 from %s e order by e.stream, e.stream_seq desc$q$, v_part)
        using v_month, p_manifests[v_i];
      get diagnostics v_cps = row_count;
    end if;
    select a.rows into v_rows from retention.archives a where a.family = p_family and a.month = v_month;
    update retention.archives a set purged_at = pg_catalog.clock_timestamp() where a.family = p_family and a.month = v_month;
    insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
    values ('retention', pg_catalog.clock_timestamp(), 'system', 'month_purged', 'archive', p_family || '/' || pg_catalog.to_char(v_month, 'YYYY-MM'),
            session_user,
            pg_catalog.jsonb_build_object('family', p_family, 'month', pg_catalog.to_char(v_month, 'YYYY-MM'), 'partition', v_part::text,
                                          'rows', v_rows, 'manifest_sha256', p_manifests[v_i], 'checkpoints', v_cps,
                                          'keep', retention.policy(p_family)::text));
    execute format('drop table %s', v_part);
    month := v_month;
    rows := v_rows;
    checkpoints := v_cps;
    return next;
  end loop;
end
$$;
comment on function retention.purge(text, date[], text[]) is 'Drop the oldest months of a family, each past retention, archived and verified (p_manifests: the manifest verified per month); ledger months must hold a prefix of every stream. Records checkpoints and a month_purged event per month.';

create or replace view reports.archive_months as
  select m.family, m.month, m.partition_name, m.rows_estimate, m.table_bytes, m.complete, m.protected,
         m.archived_at, m.location, m.archived_rows, m.archive_bytes, m.manifest_sha256, m.verified_at, m.purged_at,
         case when m.purged_at is not null then 'purged'
              when m.archived_at is null then case when m.complete then 'not archived' else 'open' end
              when m.verified_at is null or m.verified_at < m.archived_at then 'archived'
              else 'archived, verified' end as state
    from reports.archive_months_all() m;
comment on view reports.archive_months is 'Per family and month: the partition, whether retention still keeps it, and its archive (written, verified, purged).';
comment on column reports.archive_months.state is 'open (the month is not over), not archived, archived, archived verified, or purged';

-- Job history: graphile-worker deletes a job once it succeeds; one that failed for good
-- stays, with its error, until the job_history policy lets it go. Each sweep that removes
-- any is an event.
create or replace function retention.purge_job_history() returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  v_keep interval := retention.policy('job_history');
  v_n    bigint;
begin
  if v_keep is null or pg_catalog.to_regclass('graphile_worker._private_jobs') is null then
    return 0;
  end if;
  execute 'delete from graphile_worker._private_jobs j
            where j.attempts >= j.max_attempts and j.locked_at is null and j.updated_at < pg_catalog.now() - $1'
    using v_keep;
  get diagnostics v_n = row_count;
  if v_n > 0 then
    insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
    values ('retention', pg_catalog.clock_timestamp(), 'system', 'job_history_purged', 'retention', 'job_history', session_user,
            pg_catalog.jsonb_build_object('jobs', v_n, 'keep', v_keep::text));
  end if;
  return v_n;
end
$$;
comment on function retention.purge_job_history() is 'Delete jobs that failed for good and were last tried longer ago than the job_history policy keeps (a job_history_purged event when any go).';
comment on column ledger.stream_checkpoints.stream is 'The stream';
comment on column ledger.stream_checkpoints.stream_seq is 'The last purged row''s stream_seq: verify starts after it';
comment on column ledger.stream_checkpoints.hash is 'That row''s hash: the next row''s prev_hash';
comment on column ledger.stream_checkpoints.month is 'The month whose purge recorded it';
comment on column ledger.stream_checkpoints.manifest_sha256 is 'The archive manifest of that month (the rows before are in the archive)';
comment on column ledger.stream_checkpoints.created_at is 'When';
comment on column reports.archive_months.family is 'ledger_events, ops_logs or ops_metrics';
comment on column reports.archive_months.month is 'The month (its first day)';
comment on column reports.archive_months.partition_name is 'Its partition; NULL once purged';
comment on column reports.archive_months.rows_estimate is 'Rows in the partition, as the planner estimates them';
comment on column reports.archive_months.table_bytes is 'Bytes the partition takes (table, indexes, TOAST)';
comment on column reports.archive_months.complete is 'The month is over (a minute past its end): it can be archived';
comment on column reports.archive_months.protected is 'Its family''s retention policy still keeps it: it cannot be purged';
comment on column reports.archive_months.archived_at is 'When it was last archived';
comment on column reports.archive_months.location is 'Where the archive is (a directory or s3://bucket/prefix)';
comment on column reports.archive_months.archived_rows is 'Rows archived';
comment on column reports.archive_months.archive_bytes is 'Bytes of the archive''s data files';
comment on column reports.archive_months.manifest_sha256 is 'SHA-256 of the month''s manifest.json';
comment on column reports.archive_months.verified_at is 'When its archive was last checked against the month';
comment on column reports.archive_months.purged_at is 'When the month was dropped from the database';
