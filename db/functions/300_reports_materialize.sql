-- Materialized reports. A report file declares its materialized view with
--   select reports.materialize(name, position, query, unique key columns, other indexes);
-- which creates it (with its data) when it is missing or its definition changed, and
-- otherwise leaves it and its data alone: these files are re-applied on every migrate, and
-- re-computing years of reports each time would be wasteful. A changed definition drops
-- the old one with what depends on it; the files after this one re-create those (they are
-- missing, so they are created again). The unique key is what REFRESH ... CONCURRENTLY
-- needs (readers are never blocked by a refresh); reports.refresh() (390) refreshes them in
-- position order, and reports.refreshes says how fresh each is.

-- (The five-argument version came first: one function, not two that a call cannot tell apart.)
drop function if exists reports.materialize(text, integer, text, text[], text[]);

-- p_after_fills false: a report whose figures are not needed by the minute (the tax lots)
-- is left out of the refresh fills ask for.
create or replace function reports.materialize(p_name text, p_position integer, p_query text, p_key text[], p_indexes text[] default '{}',
                                               p_after_fills boolean default true)
returns void
language plpgsql set search_path = '' as $$
declare
  v_md5   constant text := md5(p_query || '|' || array_to_string(p_key, ',') || '|' || array_to_string(p_indexes, ';'));
  v_rel   constant regclass := to_regclass('reports.' || quote_ident(p_name));
  v_kind  "char";
  v_known text;
  v_t0    timestamptz;
  v_rows  bigint;
  v_i     integer := 0;
  v_cols  text;
begin
  if p_name !~ '^[a-z_][a-z0-9_]*$' or cardinality(p_key) = 0 then
    raise exception 'reports.materialize: bad name % or no key columns', p_name;
  end if;
  select c.relkind into v_kind from pg_catalog.pg_class c where c.oid = v_rel;
  select r.definition_md5 into v_known from reports.refreshes r where r.name = p_name;
  if v_kind = 'm' and v_known = v_md5 then
    update reports.refreshes r set position = p_position, after_fills = p_after_fills
     where r.name = p_name and (r.position, r.after_fills) is distinct from (p_position, p_after_fills);
    return;
  end if;
  if v_kind = 'm' then
    execute format('drop materialized view reports.%I cascade', p_name);
  elsif v_kind = 'v' then
    -- a report that was a plain view before it was materialized
    execute format('drop view reports.%I cascade', p_name);
  elsif v_kind is not null then
    raise exception 'reports.materialize: reports.% exists and is not a view (relkind %)', p_name, v_kind;
  end if;
  v_t0 := clock_timestamp();
  execute format('create materialized view reports.%I as %s with data', p_name, p_query);
  get diagnostics v_rows = row_count;
  select string_agg(quote_ident(k), ', ') into v_cols from unnest(p_key) k;
  execute format('create unique index %I on reports.%I (%s)', p_name || '_key', p_name, v_cols);
  foreach v_cols in array p_indexes loop
    v_i := v_i + 1;
    -- an index entry is a column list; quote_ident each so a list cannot carry anything else
    select string_agg(quote_ident(btrim(k)), ', ') into v_cols from unnest(string_to_array(v_cols, ',')) k;
    execute format('create index %I on reports.%I (%s)', p_name || '_' || v_i, p_name, v_cols);
  end loop;
  insert into reports.refreshes as r (name, position, after_fills, definition_md5, created_at, refreshed_at, duration_ms, row_count, events_through_seq, reason)
  values (p_name, p_position, p_after_fills, v_md5, clock_timestamp(), clock_timestamp(),
          round(extract(epoch from clock_timestamp() - v_t0) * 1000, 1), v_rows, (select max(e.seq) from ledger.events e), 'created')
  on conflict (name) do update
    set position = excluded.position, after_fills = excluded.after_fills, definition_md5 = excluded.definition_md5, created_at = excluded.created_at,
        refreshed_at = excluded.refreshed_at, duration_ms = excluded.duration_ms, row_count = excluded.row_count,
        events_through_seq = excluded.events_through_seq, reason = excluded.reason;
end
$$;
comment on function reports.materialize(text, integer, text, text[], text[], boolean) is 'Create a materialized report (with data, a unique key, indexes) unless it exists with this definition; registers it in reports.refreshes.';
