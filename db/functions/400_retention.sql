-- Retention policies and the retention lock (migration 000011): changing a policy, the
-- triggers that keep a locked one from being shortened, and the guards that keep the
-- months a policy covers from being dropped or detached.
--
-- The lock holds for every role: the owner's UPDATE, DELETE or TRUNCATE of a locked policy
-- is refused by the triggers here, and DROP or DETACH of a partition still inside its
-- retention by the event triggers (db/event_triggers.sql, installed by `blotter migrate`
-- when it runs as a superuser: only a superuser may create event triggers, and only a
-- superuser can get past them; the chain of retention_policy_changed events and the
-- signed digests show when one did).

-- A partitioned table's family, and which of its months a policy protects.
create or replace function retention.family_of(p_schema text, p_table text) returns text
language sql immutable as $$
  select case p_schema || '.' || p_table when 'ledger.events' then 'ledger_events' when 'ops.logs' then 'ops_logs'
                                         when 'ops.metrics' then 'ops_metrics' end
$$;

-- A month is protected while any of it is younger than the family's keep: its end (the
-- first of the next month) is after now() - keep.
create or replace function retention.month_protected(p_family text, p_month date) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce((select (p_month + interval '1 month') > pg_catalog.now() - p.keep from retention.policies p where p.family = p_family), true)
$$;
comment on function retention.month_protected(text, date) is 'Whether the month starting p_month still holds records the family''s policy keeps (true when the family has no policy).';

create or replace function retention.tg_policies__guard() returns trigger
language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    raise exception 'retention.policies cannot be truncated' using errcode = '42501';
  end if;
  if old.locked then
    if tg_op = 'DELETE' then
      raise exception 'retention lock: the % policy (keep %) is locked and cannot be removed', old.family, old.keep using errcode = '42501';
    end if;
    if not new.locked then
      raise exception 'retention lock: the % policy is locked; a lock cannot be lifted', old.family using errcode = '42501';
    end if;
    if new.keep < old.keep then
      raise exception 'retention lock: the % policy is locked at keep %; it can be lengthened, not shortened to %', old.family, old.keep, new.keep
        using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    new.changed_at := pg_catalog.clock_timestamp();
    new.changed_by := session_user;
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;

-- Every change is an event in the ledger (stream retention): who, before, after.
create or replace function retention.tg_policies__record() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' and (old.keep, old.locked) is not distinct from (new.keep, new.locked) then
    return null;
  end if;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
  values ('retention', pg_catalog.clock_timestamp(), 'system', 'retention_policy_changed', 'retention_policy', coalesce(new.family, old.family), session_user,
          pg_catalog.jsonb_build_object('family', coalesce(new.family, old.family), 'operation', lower(tg_op),
            'keep_before', old.keep::text, 'locked_before', old.locked, 'keep', new.keep::text, 'locked', new.locked));
  return null;
end
$$;

-- create or replace, never drop: dropping one of these triggers is refused (guard_drop).
create or replace trigger _100_guard before update or delete on retention.policies for each row execute function retention.tg_policies__guard();
create or replace trigger _110_no_truncate before truncate on retention.policies for each statement execute function retention.tg_policies__guard();
create or replace trigger _200_record after insert or update or delete on retention.policies for each row execute function retention.tg_policies__record();

-- Set a family's policy: keep (an interval: '7 years', '90 days'), and lock it (true) or
-- leave the lock as it is (NULL). A locked policy refuses shortening (the trigger above).
create or replace function retention.set_policy(p_family text, p_keep interval, p_lock boolean default null)
returns table (family text, keep interval, locked boolean, changed boolean)
language plpgsql security definer set search_path = '' as $$
#variable_conflict use_column
declare
  v_old retention.policies;
begin
  select * into v_old from retention.policies p where p.family = p_family;
  if not found then
    raise exception 'retention: no family %; the families are ledger_events, ops_logs, ops_metrics, job_history, file_logs', p_family using errcode = '22023';
  end if;
  if p_keep is null or p_keep <= interval '0' then
    raise exception 'retention: keep must be a positive interval (e.g. 7 years), got %', p_keep using errcode = '22023';
  end if;
  update retention.policies p set keep = p_keep, locked = coalesce(p_lock, p.locked) where p.family = p_family;
  return query select p.family, p.keep, p.locked, (p.keep, p.locked) is distinct from (v_old.keep, v_old.locked)
                 from retention.policies p where p.family = p_family;
end
$$;
comment on function retention.set_policy(text, interval, boolean) is 'Set how long a family is kept (and lock it); a locked policy can only be lengthened. Recorded as a retention_policy_changed event.';

-- Event trigger functions (installed by db/event_triggers.sql as a superuser).
-- DROP: a partition of ledger.events, ops.logs or ops.metrics whose month a policy still
-- keeps, the parents themselves, the retention table or the schemas holding them.
create or replace function retention.guard_drop() returns event_trigger
language plpgsql as $$
declare
  o record;
  m text[];
begin
  for o in select * from pg_catalog.pg_event_trigger_dropped_objects() loop
    if o.object_type = 'schema' and o.object_name in ('ledger', 'ops', 'retention') then
      raise exception 'retention lock: schema % holds records under retention and cannot be dropped', o.object_name using errcode = '42501';
    end if;
    if o.object_type = 'trigger' and o.object_identity like '% on retention.policies' then
      raise exception 'retention lock: trigger % cannot be dropped', o.object_identity using errcode = '42501';
    end if;
    if o.object_type = 'table' and o.schema_name in ('ledger', 'ops', 'retention') then
      if (o.schema_name, o.object_name) in (('ledger', 'events'), ('ops', 'logs'), ('ops', 'metrics'), ('retention', 'policies')) then
        raise exception 'retention lock: %.% cannot be dropped', o.schema_name, o.object_name using errcode = '42501';
      end if;
      m := regexp_match(o.object_name, '^(events|logs|metrics)_(\d{4})(\d{2})$');
      if m is not null and retention.family_of(o.schema_name, m[1]) is not null
         and retention.month_protected(retention.family_of(o.schema_name, m[1]), make_date(m[2]::integer, m[3]::integer, 1)) then
        raise exception 'retention lock: %.% holds %-% records that the % policy still keeps; it cannot be dropped',
          o.schema_name, o.object_name, m[2], m[3], retention.family_of(o.schema_name, m[1]) using errcode = '42501';
      end if;
    end if;
  end loop;
end
$$;

-- ALTER TABLE: a month's partition detached while a policy keeps it (the detached table
-- is found no longer attached), or the retention triggers disabled.
create or replace function retention.guard_alter() returns event_trigger
language plpgsql as $$
declare
  r record;
begin
  for r in select n.nspname, c.relname, m
             from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             cross join lateral regexp_match(c.relname, '^(events|logs|metrics)_(\d{4})(\d{2})$') m
            where n.nspname in ('ledger', 'ops') and c.relkind = 'r' and not c.relispartition loop
    if retention.family_of(r.nspname, r.m[1]) is not null
       and retention.month_protected(retention.family_of(r.nspname, r.m[1]), make_date(r.m[2]::integer, r.m[3]::integer, 1)) then
      raise exception 'retention lock: %.% holds %-% records that the % policy still keeps; it cannot be detached',
        r.nspname, r.relname, r.m[2], r.m[3], retention.family_of(r.nspname, r.m[1]) using errcode = '42501';
    end if;
  end loop;
  if exists (select 1 from pg_catalog.pg_trigger t where t.tgrelid = 'retention.policies'::regclass and not t.tgisinternal and t.tgenabled <> 'O') then
    raise exception 'retention lock: the triggers of retention.policies cannot be disabled' using errcode = '42501';
  end if;
end
$$;

-- What reports.retention_status and `blotter retention status` read.
create or replace function retention.policy(p_family text) returns interval
language sql stable security definer set search_path = '' as $$
  select p.keep from retention.policies p where p.family = p_family
$$;
