-- Custom reports: a user's own SELECT over reports.*, saved under a name and run like any
-- other report. Definitions are ledger events (report_defined, stream reports), so every
-- version, who saved it and when are chained like the rest of the journal; the views below
-- show the latest version and every version. reports.run_custom_query is the database half
-- of the fence (agent/report/fence.ts is the parser half).

create or replace function reports.define_custom_report(p_name text, p_sql text, p_description text, p_parameters text[], p_actor text)
returns table (name text, version integer, seq bigint)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_prev     jsonb;
  v_version  integer;
  v_param    text;
  v_seq      bigint;
  v_sha      text := encode(pg_catalog.sha256(pg_catalog.convert_to(coalesce(p_sql, ''), 'UTF8')), 'hex');
begin
  if p_name is null or p_name !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception 'reports.define_custom_report: report name % must be lower-case letters, digits and _ (at most 63, starting with a letter)', coalesce(pg_catalog.quote_literal(p_name), 'NULL')
      using errcode = '22023';
  end if;
  -- The catalog's reports and the command's own words: `blotter report NAME` must mean one thing.
  if p_name = any (array['list', 'define', 'run', 'show', 'daily', 'monthly', 'execution', 'reconciliation', 'tax', 'lots', 'gains',
                         'compliance', 'order_trail', 'config_changes', 'user_actions', 'chain_status', 'retention', 'custom']) then
    raise exception 'reports.define_custom_report: % is the name of a built-in report or command; choose another', p_name using errcode = '22023';
  end if;
  if coalesce(pg_catalog.btrim(p_sql), '') = '' then
    raise exception 'reports.define_custom_report: report % has no SQL', p_name using errcode = '22023';
  end if;
  if pg_catalog.octet_length(p_sql) > 65536 then
    raise exception 'reports.define_custom_report: the SQL of report % is % bytes; at most 65536', p_name, pg_catalog.octet_length(p_sql) using errcode = '54000';
  end if;
  if coalesce(pg_catalog.btrim(p_actor), '') = '' then
    raise exception 'reports.define_custom_report: who defines report % must be named (actor)', p_name using errcode = '22023';
  end if;
  foreach v_param in array coalesce(p_parameters, '{}') loop
    if v_param is null or v_param !~ '^[a-z_][a-z0-9_]{0,62}$' then
      raise exception 'reports.define_custom_report: parameter name % of report % must be lower-case letters, digits and _', coalesce(pg_catalog.quote_literal(v_param), 'NULL'), p_name
        using errcode = '22023';
    end if;
  end loop;
  -- One definer of a name at a time, so versions are 1, 2, 3 without gaps or twins.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('blotter.custom_report:' || p_name, 0));
  select e.payload into v_prev
    from ledger.events e
   where e.event_type = 'report_defined' and e.entity_id = p_name
   order by e.seq desc limit 1;
  v_version := coalesce((v_prev ->> 'version')::integer, 0) + 1;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, idempotency_key, payload)
  values ('reports', pg_catalog.clock_timestamp(), 'user', 'report_defined', 'report', p_name, p_actor,
          'report_defined:' || p_name || ':' || v_version,
          pg_catalog.jsonb_build_object(
            'name', p_name, 'version', v_version, 'sql', p_sql, 'sha256', v_sha,
            'description', nullif(pg_catalog.btrim(coalesce(p_description, '')), ''),
            'parameters', pg_catalog.to_jsonb(coalesce(p_parameters, '{}')),
            'previous_version', v_prev -> 'version', 'previous_sha256', v_prev -> 'sha256',
            'session_user', session_user))
  returning ledger.events.seq into v_seq;
  if v_seq is null then
    raise exception 'reports.define_custom_report: version % of report % was recorded concurrently; try again', v_version, p_name using errcode = '40001';
  end if;
  return query select p_name, v_version, v_seq;
end
$$;
comment on function reports.define_custom_report(text, text, text, text[], text) is 'Save a custom report (name, SELECT text, description, parameter names) as a new version: a report_defined event in stream reports with the previous version''s number and sha256. The SQL is checked by the agent''s fence before it gets here; it is checked again every time it runs.';

create or replace function reports.custom_report_versions_all()
returns table (name text, version integer, description text, parameters text[], sql text, sha256 text, previous_sha256 text,
               defined_by text, defined_at timestamptz, seq bigint, stream_seq bigint, hash text)
language sql stable security definer set search_path = '' rows 100 as $$
  select e.entity_id, (e.payload ->> 'version')::integer, e.payload ->> 'description',
         array(select pg_catalog.jsonb_array_elements_text(case when pg_catalog.jsonb_typeof(e.payload -> 'parameters') = 'array' then e.payload -> 'parameters' else '[]' end)),
         e.payload ->> 'sql', e.payload ->> 'sha256', e.payload ->> 'previous_sha256',
         privacy.reveal(e.actor), e.recorded_at, e.seq, e.stream_seq, encode(e.hash, 'hex')
    from ledger.events e
   where e.event_type = 'report_defined' and e.stream = 'reports'
$$;

create or replace view reports.custom_report_versions as select * from reports.custom_report_versions_all();
comment on view reports.custom_report_versions is 'Every saved version of every custom report (report_defined events): the SQL as saved, who saved it, when, and its place in the chain.';
comment on column reports.custom_report_versions.name is 'Report name (blotter report run NAME)';
comment on column reports.custom_report_versions.version is 'Version, 1 for the first definition, +1 for each redefinition';
comment on column reports.custom_report_versions.description is 'What the report shows, as its author wrote';
comment on column reports.custom_report_versions.parameters is 'Named parameters the SQL uses (:from, :account, ...), in order of first use';
comment on column reports.custom_report_versions.sql is 'The SELECT as saved (comments included)';
comment on column reports.custom_report_versions.sha256 is 'sha256 of the SQL text (hex, UTF-8)';
comment on column reports.custom_report_versions.previous_sha256 is 'sha256 of the version it replaced; NULL for version 1';
comment on column reports.custom_report_versions.defined_by is 'Who saved this version';
comment on column reports.custom_report_versions.defined_at is 'When the ledger recorded it';
comment on column reports.custom_report_versions.seq is 'Ledger seq of the report_defined event';
comment on column reports.custom_report_versions.stream_seq is 'Position in stream reports';
comment on column reports.custom_report_versions.hash is 'The event''s hash in the chain (hex)';

create or replace view reports.custom_reports as
select distinct on (v.name) v.name, v.description, v.parameters, v.version, v.defined_by, v.defined_at, v.sql, v.sha256
  from reports.custom_report_versions v
 order by v.name, v.version desc;
comment on view reports.custom_reports is 'Custom reports as they are now: the latest version of each (blotter report list, show, run).';
comment on column reports.custom_reports.name is 'Report name (blotter report run NAME)';
comment on column reports.custom_reports.description is 'What the report shows, as its author wrote';
comment on column reports.custom_reports.parameters is 'Named parameters the SQL uses (:from, :account, ...), in order of first use';
comment on column reports.custom_reports.version is 'Latest version';
comment on column reports.custom_reports.defined_by is 'Who saved the latest version';
comment on column reports.custom_reports.defined_at is 'When the latest version was saved';
comment on column reports.custom_reports.sql is 'The SELECT as saved (comments included)';
comment on column reports.custom_reports.sha256 is 'sha256 of the SQL text (hex, UTF-8)';

-- The database half of the fence. It runs one SELECT as its owner, blotter_custom: a NOLOGIN
-- role whose only right is membership of blotter_bi (it reads reports and nothing else).
-- Because it is security definer, the query cannot change role: PostgreSQL refuses SET ROLE,
-- RESET ROLE, SET SESSION AUTHORIZATION and set_config('role', ...) inside one, whoever the
-- session's login is (a superuser's included). Declared stable, so SPI runs the query in
-- read-only mode (no INSERT, no SET); a cursor can only be opened on one plain SELECT (not
-- multiple statements, SELECT INTO, COPY, DO, EXECUTE); and it refuses to run unless the
-- caller's transaction is READ ONLY with a statement_timeout, so writes, nextval, FOR
-- UPDATE and endless queries are refused too. At most p_max_rows rows come back: one more
-- and it stops with an error.
-- search_path is reports first so the user's unqualified names mean reports.*; pg_temp is
-- named last so no temporary table can shadow a report. Each row comes back as a JSON array
-- of its columns' text (numbers exact, timestamps in UTC ISO form), in column order; the
-- agent types them from the statement's description.
create or replace function reports.run_custom_query(p_sql text, p_params text[], p_max_rows integer)
returns setof text
language plpgsql stable security definer
set search_path = reports, pg_catalog, pg_temp
set "TimeZone" = 'UTC' set "DateStyle" = 'ISO, YMD' set "IntervalStyle" = 'postgres' set standard_conforming_strings = on
as $$
declare
  c     refcursor;
  r     record;
  n     integer := 0;
begin
  if pg_catalog.current_setting('transaction_read_only') <> 'on' then
    raise exception 'reports.run_custom_query: a custom report runs only in a READ ONLY transaction' using errcode = '25006';
  end if;
  if pg_catalog.current_setting('statement_timeout') in ('0', '') then
    raise exception 'reports.run_custom_query: a custom report runs only with a statement_timeout' using errcode = '22023';
  end if;
  if p_max_rows is null or p_max_rows < 1 or p_max_rows > 1000000 then
    raise exception 'reports.run_custom_query: the row cap must be between 1 and 1000000, not %', p_max_rows using errcode = '22023';
  end if;
  -- Fail closed if a DBA gave the owner more than blotter_bi.
  if current_user <> 'blotter_custom'
     or exists (select 1 from pg_catalog.pg_roles where rolname = current_user and (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb))
     or exists (select 1 from pg_catalog.pg_auth_members m where m.member = 'blotter_custom'::regrole and m.roleid <> 'blotter_bi'::regrole) then
    raise exception 'reports.run_custom_query: its owner must be blotter_custom with no right but membership of blotter_bi (now %)', current_user
      using errcode = '42501';
  end if;
  open c for execute p_sql using p_params;
  loop
    fetch c into r;
    exit when not found;
    n := n + 1;
    if n > p_max_rows then
      raise exception 'reports.run_custom_query: more than % rows', p_max_rows using errcode = '54000';
    end if;
    return next (select pg_catalog.json_agg(j.value order by j.i)::text from pg_catalog.json_each_text(pg_catalog.row_to_json(r)) with ordinality j(key, value, i));
  end loop;
  close c;
end
$$;
comment on function reports.run_custom_query(text, text[], integer) is 'Run one checked custom-report SELECT as blotter_custom (reads reports only) in the caller''s READ ONLY transaction with its statement_timeout; $1 is the array of parameter values; at most p_max_rows rows, each a JSON array of column texts.';
