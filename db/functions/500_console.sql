-- The review console (agent/console): its people, and what it may do in their name. The
-- console connects as role blotter_console; the functions here that take a person's name
-- may be executed by that role alone (db/policies/090_console_grants.sql), so a review
-- recorded through them carries both: the database role and login that made it, proven
-- by the database, and the person the console says was signed in, vouched for by the
-- console's own sign-in (README: "Review console").

-- A change to a person, as an event in stream console: source user, the person as actor
-- and the database login that made the change as payload.session_user, the two fields the
-- shipped privacy config stores encrypted (erasable). Never the password hash.
create or replace function console.record(p_event_type text, p_name text, p_payload jsonb) returns void
language sql security definer set search_path = '' as $$
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
  values ('console', pg_catalog.clock_timestamp(), 'user', p_event_type, 'console_user', null, p_name,
          jsonb_build_object('session_user', session_user::text) || p_payload)
$$;

-- `blotter users add`: the owner's (a DBA's) alone.
create or replace function console.add_user(p_name text, p_role text, p_password_hash text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  if p_name is null or p_name !~ '^[a-z][a-z0-9._-]{0,62}$' then
    raise exception 'console.add_user: name "%" must be lower-case letters, digits, ".", "_" or "-", starting with a letter, at most 63 characters', p_name using errcode = '22023';
  end if;
  if p_role is null or p_role not in ('viewer', 'reviewer', 'admin') then
    raise exception 'console.add_user: role must be viewer, reviewer or admin, not %', coalesce(p_role, 'null') using errcode = '22023';
  end if;
  if exists (select 1 from console.users u where u.name = p_name) then
    raise exception 'console.add_user: user % already exists', p_name using errcode = '23505';
  end if;
  insert into console.users (name, role, password_hash) values (p_name, p_role, p_password_hash);
  perform console.record('console_user_added', p_name, jsonb_build_object('role', p_role));
end
$$;

-- `blotter users reset`: a new one-time password (and the person enabled again).
create or replace function console.reset_user(p_name text, p_password_hash text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update console.users set password_hash = p_password_hash, must_change_password = true, disabled_at = null where name = p_name;
  if not found then
    raise exception 'console.reset_user: no user %', p_name using errcode = 'P0002';
  end if;
  perform console.record('console_user_reset', p_name, '{}'::jsonb);
end
$$;

-- `blotter users disable`: no more sign-ins; sessions already open end at their next request.
create or replace function console.disable_user(p_name text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update console.users set disabled_at = pg_catalog.clock_timestamp() where name = p_name and disabled_at is null;
  if not found then
    raise exception 'console.disable_user: no enabled user %', p_name using errcode = 'P0002';
  end if;
  perform console.record('console_user_disabled', p_name, '{}'::jsonb);
end
$$;

create or replace view console.user_list as
select u.name, u.role, u.must_change_password, u.created_at, u.created_by, u.password_changed_at, u.disabled_at
  from console.users u;
comment on view console.user_list is 'People of the review console, without their password hashes.';

-- The console's sign-in: the hash to check, the role, whether the password must change.
-- Asked again on every request, so a disabled person or a changed role counts at once.
create or replace function console.user_for_sign_in(p_name text)
returns table (name text, role text, password_hash text, must_change_password boolean)
language sql stable security definer set search_path = '' as $$
  select u.name, u.role, u.password_hash, u.must_change_password from console.users u where u.name = p_name and u.disabled_at is null
$$;

-- The person replaces the one-time password (the console checked the old one).
create or replace function console.change_password(p_name text, p_password_hash text) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update console.users set password_hash = p_password_hash, must_change_password = false, password_changed_at = pg_catalog.clock_timestamp()
   where name = p_name and disabled_at is null;
  if not found then
    raise exception 'console.change_password: no enabled user %', p_name using errcode = 'P0002';
  end if;
  perform console.record('console_password_changed', p_name, '{}'::jsonb);
end
$$;

-- A review in a person's name. The database checks again what the console checked: the
-- person exists, is enabled and is a reviewer or admin (viewers are refused here too).
-- The actor is console:NAME (stored encrypted, as every user event's actor, with the
-- shipped privacy config); the payload adds the role and login the database saw.
create or replace function console.review_break(p_person text, p_break_id text, p_action text, p_note text) returns text
language plpgsql security definer set search_path = '' as $$
declare
  v_role text;
begin
  select u.role into v_role from console.users u where u.name = p_person and u.disabled_at is null;
  if v_role is null then
    raise exception 'console.review_break: no enabled console user %', p_person using errcode = '42501';
  end if;
  if v_role not in ('reviewer', 'admin') then
    raise exception 'console.review_break: % is a %: only reviewers and admins may review breaks', p_person, v_role using errcode = '42501';
  end if;
  return recon.record_review(p_break_id, p_action, p_note, 'console:' || p_person,
    jsonb_build_object('via', 'console', 'person_role', v_role, 'db_role', 'blotter_console', 'db_user', session_user::text));
end
$$;

-- The ledger searched as the audit page asks: any of stream, account, order id (the bot's
-- client_order_id, IB's order_id or perm_id), exec id, event type, and a time range on
-- recorded_at; newest first, at most p_limit rows. Actor and payload as the views reveal them.
create or replace function console.search_events(p_stream text, p_account text, p_order_id text, p_exec_id text, p_event_type text,
                                                 p_from timestamptz, p_to timestamptz, p_limit integer)
returns table (seq bigint, stream text, stream_seq bigint, recorded_at timestamptz, occurred_at timestamptz, source text, event_type text,
               entity_type text, entity_id text, account text, actor text, payload jsonb, prev_hash text, hash text)
language sql stable set search_path = '' as $$
  select e.seq, e.stream, e.stream_seq, e.recorded_at, e.occurred_at, e.source, e.event_type, e.entity_type, e.entity_id, e.account,
         privacy.reveal(e.actor), privacy.reveal_json(e.payload), pg_catalog.encode(e.prev_hash, 'hex'), pg_catalog.encode(e.hash, 'hex')
    from ledger.events e
   where (p_stream is null or e.stream = p_stream)
     and (p_account is null or e.account = p_account)
     and (p_order_id is null or e.payload ->> 'client_order_id' = p_order_id or e.payload ->> 'order_id' = p_order_id
          or e.payload ->> 'perm_id' = p_order_id or (e.entity_type = 'order' and e.entity_id = p_order_id))
     and (p_exec_id is null or e.payload ->> 'exec_id' = p_exec_id or (e.entity_type in ('execution', 'commission') and e.entity_id = p_exec_id))
     and (p_event_type is null or e.event_type = p_event_type)
     and (p_from is null or e.recorded_at >= p_from)
     and (p_to is null or e.recorded_at < p_to)
   order by e.seq desc
   limit greatest(1, least(coalesce(p_limit, 100), 1000))
$$;

-- The events a break stands on: those whose exec id, order id or entity is the break's
-- key (recon's own events aside), oldest first.
create or replace function console.break_events(p_break_id text, p_limit integer)
returns table (seq bigint, stream text, stream_seq bigint, recorded_at timestamptz, occurred_at timestamptz, source text, event_type text,
               entity_type text, entity_id text, account text, order_id text, exec_id text)
language sql stable set search_path = '' as $$
  with b as (select x.account, x.key from recon.break_states('infinity') x where x.break_id = p_break_id)
  select e.seq, e.stream, e.stream_seq, e.recorded_at, e.occurred_at, e.source, e.event_type, e.entity_type, e.entity_id, e.account,
         coalesce(e.payload ->> 'client_order_id', e.payload ->> 'perm_id', e.payload ->> 'order_id'), e.payload ->> 'exec_id'
    from b join ledger.events e on e.account is not distinct from b.account
   where e.stream <> 'recon'
     and (e.entity_id = b.key or e.payload ->> 'exec_id' = b.key or e.payload ->> 'client_order_id' = b.key
          or e.payload ->> 'perm_id' = b.key or e.payload ->> 'con_id' = b.key or e.payload -> 'contract' ->> 'con_id' = b.key)
   order by e.seq
   limit greatest(1, least(coalesce(p_limit, 50), 500))
$$;
