-- Retention status: per family of records (the ledger's events, the trading log, the
-- metrics), the oldest and newest record, how many there are, how long the family is kept
-- and whether that is locked (retention.policies), and what is past it: the monthly
-- partitions that end before the cut-off. Nothing here deletes anything.
--
-- Oldest and newest are read from the first and last non-empty monthly partitions (and the
-- default one), so the cost is one or two partitions, not the whole table. Row counts are
-- the planner's estimates (pg_class.reltuples, kept by autovacuum and ANALYZE).

create or replace function reports.retention_status_all()
returns table (family text, table_name text, keep interval, locked boolean, oldest timestamptz, newest timestamptz, partitions integer,
               rows_estimate bigint, due_before timestamptz, first_due_at timestamptz, partitions_due text[], rows_due_estimate bigint)
language plpgsql stable security definer set search_path = '' as $$
#variable_conflict use_column
declare
  f     record;
  p     record;
  v_val timestamptz;
begin
  for f in select x.*, p.keep, p.locked
             from (values ('ledger_events', 'ledger', 'events', 'recorded_at', 1), ('ops_logs', 'ops', 'logs', 'logged_at', 2),
                          ('ops_metrics', 'ops', 'metrics', 'observed_at', 3)) x(family, sch, tbl, col, n)
             left join retention.policies p on p.family = x.family
            order by x.n loop
    family := f.family;
    table_name := f.sch || '.' || f.tbl;
    keep := f.keep;
    locked := f.locked;
    due_before := date_trunc('day', pg_catalog.now() - f.keep);
    oldest := null; newest := null;
    -- the partitions by month; the default one (no month) may hold strays of any date
    select count(*)::integer, coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint into partitions, rows_estimate
      from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
     where i.inhparent = pg_catalog.to_regclass(table_name);
    for p in select c.relname as name from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
              where i.inhparent = pg_catalog.to_regclass(table_name)
              order by to_date(substring(c.relname from '_(\d{6})$'), 'YYYYMM') nulls first loop
      execute format('select min(%I) from %I.%I', f.col, f.sch, p.name) into v_val;
      oldest := least(oldest, v_val);
      exit when v_val is not null and p.name !~ '_default$';
    end loop;
    for p in select c.relname as name from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
              where i.inhparent = pg_catalog.to_regclass(table_name)
              order by to_date(substring(c.relname from '_(\d{6})$'), 'YYYYMM') desc nulls first loop
      execute format('select max(%I) from %I.%I', f.col, f.sch, p.name) into v_val;
      newest := greatest(newest, v_val);
      exit when v_val is not null and p.name !~ '_default$';
    end loop;
    first_due_at := oldest + f.keep;
    select coalesce(array_agg(f.sch || '.' || r.name order by r.month), '{}'), coalesce(sum(greatest(r.reltuples, 0)), 0)::bigint
      into partitions_due, rows_due_estimate
      from (select c.relname as name, c.reltuples, to_date(substring(c.relname from '_(\d{6})$'), 'YYYYMM') as month
              from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
             where i.inhparent = pg_catalog.to_regclass(table_name)) r
     where r.month is not null and (r.month + interval '1 month') <= due_before;
    return next;
  end loop;
end
$$;
comment on function reports.retention_status_all() is 'Per family of records: oldest and newest, estimated rows, retention (retention.policies) and the monthly partitions past it.';

create or replace view reports.retention_status as select * from reports.retention_status_all();
comment on view reports.retention_status is 'Retention per family of records (ledger events, trading log, metrics): the oldest record, how long the family is kept, and the monthly partitions wholly past that. Reports only: nothing is deleted here.';
comment on column reports.retention_status.family is 'ledger_events, ops_logs (the trading log) or ops_metrics';
comment on column reports.retention_status.table_name is 'The partitioned table holding them';
comment on column reports.retention_status.keep is 'How long they are kept (retention.policies)';
comment on column reports.retention_status.locked is 'The retention lock: keep can only be lengthened';
comment on column reports.retention_status.oldest is 'The oldest record (recorded_at, logged_at or observed_at); NULL when empty';
comment on column reports.retention_status.newest is 'The newest record';
comment on column reports.retention_status.partitions is 'Partitions of the table (monthly ones and the default)';
comment on column reports.retention_status.rows_estimate is 'Rows in the table, as the planner estimates them (pg_class.reltuples)';
comment on column reports.retention_status.due_before is 'The cut-off: records older than this are past retention (today - keep)';
comment on column reports.retention_status.first_due_at is 'When the oldest record passes retention (oldest + keep)';
comment on column reports.retention_status.partitions_due is 'Monthly partitions that end on or before due_before: wholly past retention';
comment on column reports.retention_status.rows_due_estimate is 'Estimated rows in partitions_due';
