-- Monthly partitions, created ahead of time by a daily job so the DEFAULT partitions only
-- catch what falls outside them. One helper for every partitioned table.

create or replace function ledger.create_month_partitions(p_parent regclass, p_months_ahead integer)
returns setof text
language plpgsql security definer set search_path = '' as $$
declare
  v_month  date;
  v_schema text;
  v_table  text;
  v_key    text;
  v_name   text;
  v_taken  boolean;
begin
  if p_months_ahead is null or p_months_ahead < 0 or p_months_ahead > 120 then
    raise exception 'ensure_partitions: months_ahead must be between 0 and 120, got %', p_months_ahead
      using errcode = '22023';
  end if;
  select n.nspname, c.relname into v_schema, v_table
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = p_parent;
  -- The partition key column (single-column range partitioning).
  select a.attname into v_key
    from pg_catalog.pg_partitioned_table pt
    join pg_catalog.pg_attribute a on a.attrelid = pt.partrelid and a.attnum = pt.partattrs[0]
   where pt.partrelid = p_parent;
  for v_month in
    select generate_series(date_trunc('month', now() at time zone 'UTC')::date,
                           (date_trunc('month', now() at time zone 'UTC') + make_interval(months => p_months_ahead))::date,
                           interval '1 month')::date
  loop
    v_name := v_table || '_' || to_char(v_month, 'YYYYMM');
    continue when to_regclass(format('%I.%I', v_schema, v_name)) is not null;
    -- Rows already in the DEFAULT partition for this month cannot be moved (that would be a
    -- DELETE); leave the month there and say so rather than fail the job.
    execute format('select exists (select 1 from %I.%I where %I >= $1 and %I < $2)', v_schema, v_table || '_default', v_key, v_key)
      into strict v_taken using (v_month::timestamp at time zone 'UTC'), ((v_month + interval '1 month')::timestamp at time zone 'UTC');
    if v_taken then
      raise warning 'ensure_partitions: %.% has rows for % in its DEFAULT partition; month left there',
        v_schema, v_table, to_char(v_month, 'YYYY-MM');
      continue;
    end if;
    execute format('create table %I.%I partition of %I.%I for values from (%L) to (%L)',
                   v_schema, v_name, v_schema, v_table,
                   (v_month::timestamp at time zone 'UTC'),
                   ((v_month + interval '1 month')::timestamp at time zone 'UTC'));
    execute format('create trigger _110_no_truncate before truncate on %I.%I
                    for each statement execute function ledger.tg_refuse_change()', v_schema, v_name);
    return next format('%I.%I', v_schema, v_name);
  end loop;
end
$$;

create or replace function ledger.ensure_partitions(p_months_ahead integer default 3)
returns setof text
language sql security definer set search_path = '' as $$
  select ledger.create_month_partitions('ledger.events'::regclass, p_months_ahead)
$$;

create or replace function ops.ensure_partitions(p_months_ahead integer default 3)
returns setof text
language sql security definer set search_path = '' as $$
  select ledger.create_month_partitions('ops.logs'::regclass, p_months_ahead)
  union all
  select ledger.create_month_partitions('ops.metrics'::regclass, p_months_ahead)
$$;
