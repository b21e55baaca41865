-- Reconciliation's small parts: settings and tolerances (read, and changed only through
-- functions that record who changed what from what to what), severity, and the accounts
-- there are to reconcile.

create or replace function recon.setting(p_key text) returns numeric
language sql stable parallel safe as $$
  select value from recon.settings where key = p_key
$$;

-- The tolerance of a field for an asset class: its own row, else the '*' row, else exact
-- (0, 0). The one place that picks a row; every comparison goes through it.
create or replace function recon.tolerance_for(p_field text, p_asset_class text, out abs_tol numeric, out rel_tol numeric)
language sql stable parallel safe as $$
  select coalesce(t.abs_tol, 0), coalesce(t.rel_tol, 0)
    from (select 1) as one
    left join lateral (
      select x.abs_tol, x.rel_tol from recon.tolerances x
       where x.field = p_field and x.asset_class in (coalesce(p_asset_class, '*'), '*')
       order by x.asset_class = '*' limit 1) t on true
$$;

-- |bot − broker| ≤ abs_tol + rel_tol·|broker|. Both NULL match; one NULL does not.
create or replace function recon.within(p_field text, p_asset_class text, p_bot numeric, p_broker numeric) returns boolean
language sql stable parallel safe as $$
  select case
    when p_bot is null or p_broker is null then p_bot is null and p_broker is null
    else abs(p_bot - p_broker) <= (select t.abs_tol + t.rel_tol * abs(p_broker) from recon.tolerance_for(p_field, p_asset_class) t)
  end
$$;

-- low < medium < high < critical, from the money at stake and how long it has been open.
create or replace function recon.severity(p_amount numeric, p_age interval) returns text
language sql stable parallel safe as $$
  select case
    when coalesce(p_amount, 0) >= recon.setting('severity_critical_amount')
      or extract(epoch from coalesce(p_age, '0')) >= recon.setting('severity_critical_age_s') then 'critical'
    when coalesce(p_amount, 0) >= recon.setting('severity_high_amount')
      or extract(epoch from coalesce(p_age, '0')) >= recon.setting('severity_high_age_s') then 'high'
    when coalesce(p_amount, 0) >= recon.setting('severity_medium_amount')
      or extract(epoch from coalesce(p_age, '0')) >= recon.setting('severity_medium_age_s') then 'medium'
    else 'low'
  end
$$;

create or replace function recon.severity_rank(p_severity text) returns integer
language sql immutable parallel safe as $$
  select array_position(array['low', 'medium', 'high', 'critical'], p_severity)
$$;

-- Accounts with anything to reconcile: every IB account the relay streams (stream
-- ib:<account>) and every account the bot reported about.
-- rows 10: the planner's default guess of 1000 made views over it look costly enough to JIT-compile (seconds).
create or replace function recon.accounts() returns table (account text)
language sql stable security definer set search_path = '' rows 10 as $$
  select substr(s.stream, 4) from ledger.streams s where s.stream like 'ib:%' and s.stream <> 'ib:'
  union
  select substr(s.stream, 6) from ledger.streams s where s.stream like 'flex:%' and s.stream <> 'flex:'
  union
  select x.account from (
    select distinct e.account from ledger.events e
     where e.event_type in ('position_snapshot', 'account_snapshot', 'pnl', 'execution', 'order_submitted') and e.account is not null) x
  order by 1
$$;
comment on function recon.accounts() is 'Accounts there is something to reconcile for: those the IB relay streams, those IB Flex statements were imported for, and those the bot reported orders, fills, positions, cash or P&L for.';

-- Whether recon.accounts() would list p_account, by index lookups instead of listing them all.
create or replace function recon.account_known(p_account text) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from ledger.streams s where s.stream in ('ib:' || p_account, 'flex:' || p_account))
      or exists (select 1 from ledger.events e where e.account = p_account
                    and e.event_type in ('position_snapshot', 'account_snapshot', 'pnl'))
      or exists (select 1 from ledger.events e where e.account = p_account
                    and e.event_type in ('order_submitted', 'order_status', 'order_cancel_requested', 'order_modified', 'execution'))
$$;

-- An event in stream recon, appended by reconciliation itself (source system).
create or replace function recon.append(p_event_type text, p_account text, p_entity_type text, p_entity_id text,
                                        p_key text, p_payload jsonb, p_occurred_at timestamptz default null) returns void
language sql security definer set search_path = '' as $$
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, idempotency_key, payload)
  values ('recon', coalesce(p_occurred_at, pg_catalog.clock_timestamp()), 'system', p_event_type, p_entity_type, p_entity_id, p_account,
          session_user, p_key, p_payload)
$$;
revoke all on function recon.append(text, text, text, text, text, jsonb, timestamptz) from public;

-- Changing a tolerance or a setting records a config_change event (who, what, from, to).
create or replace function recon.set_tolerance(p_field text, p_asset_class text, p_abs_tol numeric, p_rel_tol numeric, p_reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_old jsonb;
begin
  if coalesce(trim(p_reason), '') = '' then
    raise exception 'recon.set_tolerance: a reason is required (field %)', p_field using errcode = '22023';
  end if;
  select jsonb_build_object('abs_tol', t.abs_tol, 'rel_tol', t.rel_tol) into v_old
    from recon.tolerances t where t.field = p_field and t.asset_class = coalesce(p_asset_class, '*');
  insert into recon.tolerances as t (field, asset_class, abs_tol, rel_tol)
  values (p_field, coalesce(p_asset_class, '*'), p_abs_tol, p_rel_tol)
  on conflict (field, asset_class) do update
    set abs_tol = excluded.abs_tol, rel_tol = excluded.rel_tol, updated_at = now(), updated_by = session_user;
  perform recon.append('config_change', null, 'config', 'recon.tolerances.' || p_field || '.' || coalesce(p_asset_class, '*'), null,
    jsonb_build_object('key', 'recon.tolerances.' || p_field || '.' || coalesce(p_asset_class, '*'), 'old', v_old,
                       'new', jsonb_build_object('abs_tol', p_abs_tol, 'rel_tol', p_rel_tol), 'reason', p_reason));
end
$$;

create or replace function recon.set_setting(p_key text, p_value numeric, p_reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_old numeric;
begin
  if coalesce(trim(p_reason), '') = '' then
    raise exception 'recon.set_setting: a reason is required (key %)', p_key using errcode = '22023';
  end if;
  select s.value into v_old from recon.settings s where s.key = p_key;
  if not found then
    raise exception 'recon.set_setting: no setting %', p_key using errcode = '22023';
  end if;
  update recon.settings set value = p_value, updated_at = now(), updated_by = session_user where key = p_key;
  perform recon.append('config_change', null, 'config', 'recon.settings.' || p_key, null,
    jsonb_build_object('key', 'recon.settings.' || p_key, 'old', v_old, 'new', p_value, 'reason', p_reason));
end
$$;
