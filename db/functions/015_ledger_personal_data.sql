-- Personal data, crypto-shredded (tables in migration 000013): the fields privacy.fields
-- names are replaced by a token before the chain hashes the row (trigger _150 fires before
-- _200_chain), so the ledger, ops.logs and every copy of them hold ciphertext only. Views
-- show the plaintext through privacy.reveal while the subject's key exists, '[erased]' after.
-- Numbered before the views that call privacy.reveal (060 and later), which need it to exist.
--
-- Token: pii:v1:<subject uuid>:<base64(iv || AES-256-CBC ciphertext)>, with
--   k_enc = HMAC-SHA-256(key, 'blotter pii enc'), k_mac = HMAC-SHA-256(key, 'blotter pii mac')
--   iv    = first 16 bytes of HMAC-SHA-256(k_mac, plaintext)
-- The IV is derived, not random, so one value of one subject always gives one token: a
-- retried event stores the same bytes, and decryption checks the IV (a forged or damaged
-- token reads '[invalid]', never someone else's data).

create or replace function privacy.erased_marker() returns text
language sql immutable parallel safe as $$ select '[erased]' $$;

-- The lookup of an identifier: HMAC of its lower-cased form under the install secret, so
-- Alice@Example.com and alice@example.com are one subject.
create or replace function privacy.lookup_of(p_identifier text) returns bytea
language sql stable security definer set search_path = '' as $$
  select crypto.hmac(pg_catalog.convert_to(pg_catalog.lower(p_identifier), 'UTF8'), s.secret, 'sha256')
    from privacy.install_secret s
$$;
revoke all on function privacy.lookup_of(text) from public;

create or replace function privacy.seal(p_subject uuid, p_key bytea, p_value text) returns text
language plpgsql immutable security definer set search_path = '' as $$
declare
  v_plain bytea := pg_catalog.convert_to(p_value, 'UTF8');
  v_iv    bytea := pg_catalog.substr(crypto.hmac(v_plain, crypto.hmac('blotter pii mac'::bytea, p_key, 'sha256'), 'sha256'), 1, 16);
begin
  return 'pii:v1:' || p_subject::text || ':' || pg_catalog.translate(pg_catalog.encode(
    v_iv || crypto.encrypt_iv(v_plain, crypto.hmac('blotter pii enc'::bytea, p_key, 'sha256'), v_iv, 'aes-cbc/pad:pkcs'), 'base64'), E'\n', '');
end
$$;

-- The token for a value: its subject is found by lookup, or made (a new random key). NULL,
-- '' and a value that already is a token are left as they are (a function that copies a
-- stored actor into a new event must not encrypt it twice).
create or replace function privacy.protect(p_value text) returns text
language plpgsql security definer set search_path = '' as $$
declare
  v_lookup  bytea;
  v_subject uuid;
  v_key     bytea;
begin
  if p_value is null or p_value = '' or starts_with(p_value, 'pii:v1:') then
    return p_value;
  end if;
  v_lookup := privacy.lookup_of(p_value);
  select s.subject_id, s.key into v_subject, v_key from privacy.subject_keys s where s.lookup = v_lookup;
  if not found then
    -- A concurrent writer making the same subject: wait for it, then read its row.
    insert into privacy.subject_keys (lookup, key) values (v_lookup, crypto.gen_random_bytes(32))
    on conflict (lookup) do nothing
    returning subject_id, key into v_subject, v_key;
    if v_subject is null then
      select s.subject_id, s.key into strict v_subject, v_key from privacy.subject_keys s where s.lookup = v_lookup;
    end if;
  end if;
  return privacy.seal(v_subject, v_key, p_value);
end
$$;
revoke all on function privacy.seal(uuid, bytea, text) from public;
revoke all on function privacy.protect(text) from public;

-- A JSON value at a configured path: a string becomes its token, an array's strings each
-- become theirs; anything else (numbers, objects) is left as it is.
create or replace function privacy.protect_json(p_value jsonb) returns jsonb
language sql security definer set search_path = '' as $$
  select case pg_catalog.jsonb_typeof(p_value)
           when 'string' then pg_catalog.to_jsonb(privacy.protect(p_value #>> '{}'))
           when 'array' then (select coalesce(pg_catalog.jsonb_agg(case when pg_catalog.jsonb_typeof(x) = 'string'
                                                                       then pg_catalog.to_jsonb(privacy.protect(x #>> '{}')) else x end order by n), '[]')
                                from pg_catalog.jsonb_array_elements(p_value) with ordinality as a(x, n))
           else p_value end
$$;
revoke all on function privacy.protect_json(jsonb) from public;

-- The plaintext of a token: '[erased]' once its subject is erased, '[invalid]' for a token
-- that does not decrypt under its subject's key or names no subject.
create or replace function privacy.decrypt_token(p_token text) returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  v_subject text := pg_catalog.split_part(p_token, ':', 3);
  v_key     bytea;
  v_raw     bytea;
  v_plain   bytea;
begin
  if v_subject !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return '[invalid]';
  end if;
  select s.key into v_key from privacy.subject_keys s where s.subject_id = v_subject::uuid;
  if not found then
    return '[invalid]';
  elsif v_key is null then
    return privacy.erased_marker();
  end if;
  begin
    v_raw := pg_catalog.decode(pg_catalog.split_part(p_token, ':', 4), 'base64');
    v_plain := crypto.decrypt_iv(pg_catalog.substr(v_raw, 17), crypto.hmac('blotter pii enc'::bytea, v_key, 'sha256'),
                                 pg_catalog.substr(v_raw, 1, 16), 'aes-cbc/pad:pkcs');
    if pg_catalog.substr(crypto.hmac(v_plain, crypto.hmac('blotter pii mac'::bytea, v_key, 'sha256'), 'sha256'), 1, 16)
       <> pg_catalog.substr(v_raw, 1, 16) then
      return '[invalid]';
    end if;
    return pg_catalog.convert_from(v_plain, 'UTF8');
  exception when others then
    return '[invalid]';
  end;
end
$$;

-- Every token in a JSON value replaced by its plaintext. Tokens are found in the text form:
-- a string value (after '[', ': ' or ', '; a key is followed by ':') whose whole text is a
-- token. An escaped quote inside a string follows a backslash, so it never matches.
create or replace function privacy.decrypt_json(p_value jsonb) returns jsonb
language plpgsql stable strict security definer set search_path = '' as $$
declare
  v_text text := p_value::text;
  v_m    text[];
begin
  for v_m in select pg_catalog.regexp_matches(v_text, '(?<=[ \[])"(pii:v1:[0-9a-f-]{36}:[A-Za-z0-9+/=]+)"(?=[,\]}]|$)', 'g') loop
    v_text := pg_catalog.replace(v_text, '"' || v_m[1] || '"', pg_catalog.to_jsonb(privacy.decrypt_token(v_m[1]))::text);
  end loop;
  return v_text::jsonb;
end
$$;

-- What views call. Plain SQL, not definer: inlined, so a value that is no token costs a
-- prefix test and no function call.
-- Parallel unsafe, like the functions they call: decrypting catches a bad token in an
-- exception block, a subtransaction, which PostgreSQL forbids while a parallel query runs
-- (found on PostgreSQL 15 by the fuzzer's oracle query: "cannot start subtransactions
-- during a parallel operation").
create or replace function privacy.reveal(p_value text) returns text
language sql stable parallel unsafe as $$
  select case when starts_with(p_value, 'pii:v1:') then privacy.decrypt_token(p_value) else p_value end
$$;
comment on function privacy.reveal(text) is 'The value, or the plaintext of a personal-data token (''[erased]'' once its subject is erased).';

create or replace function privacy.reveal_json(p_value jsonb) returns jsonb
language sql stable parallel unsafe as $$
  select case when strpos(p_value::text, '"pii:v1:') = 0 then p_value else privacy.decrypt_json(p_value) end
$$;
comment on function privacy.reveal_json(jsonb) is 'The JSON value with every personal-data token in it replaced by its plaintext (''[erased]'' once its subject is erased).';

-- The insert triggers. They fire only for rows the WHEN clause (built from privacy.fields
-- by install_triggers) selects, so an IB execution never calls them.
create or replace function privacy.tg_events__protect() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  f record;
  v jsonb;
begin
  -- A key seen before: _200_chain would drop the row; drop it here, before it makes a
  -- subject (a key for a name that no row holds).
  if new.idempotency_key is not null
     and exists (select 1 from ledger.idempotency_keys i where i.idempotency_key = new.idempotency_key) then
    return null;
  end if;
  -- distinct: user_action:actor and source=user:actor both match a user's user_action
  for f in select distinct x.col, x.path from privacy.fields x
            where x.kind = 'event' and (x.event_type = new.event_type or x.source = new.source) loop
    if f.col = 'actor' then
      new.actor := privacy.protect(new.actor);
    else
      v := new.payload #> f.path;
      continue when v is null;
      new.payload := pg_catalog.jsonb_set(new.payload, f.path, privacy.protect_json(v));
    end if;
  end loop;
  return new;
end
$$;

create or replace function privacy.tg_logs__protect() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  f record;
  v jsonb;
begin
  for f in select distinct x.path from privacy.fields x where x.kind = 'log' loop
    v := new.fields #> f.path;
    continue when v is null;
    new.fields := pg_catalog.jsonb_set(new.fields, f.path, privacy.protect_json(v));
  end loop;
  return new;
end
$$;

-- (Re)create both triggers with a WHEN clause listing what privacy.fields can touch: the
-- event types and sources, and the top-level log field names. With nothing listed the
-- clause is false and the trigger never fires.
create or replace function privacy.install_triggers() returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_types   text[];
  v_sources text[];
  v_keys    text[];
begin
  select coalesce(pg_catalog.array_agg(distinct f.event_type order by f.event_type) filter (where f.event_type is not null), '{}'),
         coalesce(pg_catalog.array_agg(distinct f.source order by f.source) filter (where f.source is not null), '{}')
    into v_types, v_sources
    from privacy.fields f where f.kind = 'event';
  select coalesce(pg_catalog.array_agg(distinct f.path[1] order by f.path[1]), '{}') into v_keys from privacy.fields f where f.kind = 'log';
  execute pg_catalog.format('create or replace trigger _150_personal_data before insert on ledger.events for each row '
                            'when (new.event_type = any (%L::text[]) or new.source = any (%L::text[])) '
                            'execute function privacy.tg_events__protect()', v_types, v_sources);
  execute pg_catalog.format('create or replace trigger _150_personal_data before insert on ops.logs for each row '
                            'when (new.fields ?| %L::text[]) execute function privacy.tg_logs__protect()', v_keys);
end
$$;
revoke all on function privacy.install_triggers() from public;

-- A field spec as the config writes it:
--   EVENT_TYPE:actor | EVENT_TYPE:payload.a.b   a field of one event type
--   source=SOURCE:actor | source=SOURCE:payload.a.b   of every event from one source
--   log:a.b                                     a field of ops.logs.fields
create or replace function privacy.parse_field(p_spec text) returns privacy.fields
language plpgsql immutable set search_path = '' as $$
declare
  v privacy.fields;
  m text[];
begin
  v.spec := p_spec;
  m := pg_catalog.regexp_match(p_spec, '^log:([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)$');
  if m is not null then
    v.kind := 'log'; v.col := 'fields'; v.path := pg_catalog.string_to_array(m[1], '.');
    return v;
  end if;
  m := pg_catalog.regexp_match(p_spec, '^(source=)?([a-z][a-z0-9_]{0,62}):(actor|payload\.([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*))$');
  if m is not null then
    v.kind := 'event';
    if m[1] is not null then
      if m[2] not in ('ib', 'bot', 'flex', 'system', 'user') then
        raise exception 'privacy field %: source must be ib, bot, flex, system or user', p_spec using errcode = '22023';
      end if;
      v.source := m[2];
    else
      v.event_type := m[2];
    end if;
    v.col := case when m[3] = 'actor' then 'actor' else 'payload' end;
    v.path := case when m[3] = 'actor' then '{}'::text[] else pg_catalog.string_to_array(m[4], '.') end;
    return v;
  end if;
  raise exception 'privacy field %: expected EVENT_TYPE:actor, EVENT_TYPE:payload.PATH, source=SOURCE:actor, source=SOURCE:payload.PATH or log:PATH', p_spec
    using errcode = '22023';
end
$$;

-- Make privacy.fields exactly p_specs (the config's privacy.fields). A change is recorded
-- as a privacy_fields_changed event (what was and is encrypted: no personal data) and takes
-- effect for rows inserted after it; rows already stored keep what they hold.
create or replace function privacy.set_fields(p_specs text[]) returns boolean
language plpgsql security definer set search_path = '' as $$
declare
  v_before text[];
  v_after  text[];
begin
  select coalesce(pg_catalog.array_agg(f.spec order by f.spec), '{}') into v_before from privacy.fields f;
  select coalesce(pg_catalog.array_agg(distinct s order by s), '{}') into v_after from pg_catalog.unnest(p_specs) s;
  perform privacy.parse_field(s) from pg_catalog.unnest(v_after) s;
  if v_before = v_after then
    return false;
  end if;
  delete from privacy.fields;
  insert into privacy.fields select (privacy.parse_field(s)).* from pg_catalog.unnest(v_after) s;
  perform privacy.install_triggers();
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
  values ('privacy', pg_catalog.clock_timestamp(), 'system', 'privacy_fields_changed', 'privacy_fields', 'fields', session_user,
          pg_catalog.jsonb_build_object('before', v_before, 'after', v_after));
  return true;
end
$$;
revoke all on function privacy.set_fields(text[]) from public;
comment on function privacy.set_fields(text[]) is 'Set which fields hold personal data (EVENT_TYPE:actor, EVENT_TYPE:payload.PATH, source=SOURCE:..., log:PATH); true when that changed. Recorded as a privacy_fields_changed event.';

-- Erase a subject: destroy its key and lookup, and append a subject_erased event (stream
-- privacy) with the subject id, the reason and how many rows hold its tokens - no personal
-- data. p_id is the identifier as recorded (any case) or the subject id. Erasing an erased
-- subject (by id) answers 'already_erased' and changes nothing; an identifier no longer
-- finds an erased subject, by design.
create or replace function privacy.erase_subject(p_id text, p_reason text)
returns table (subject_id uuid, status text, events bigint, logs bigint, seq bigint)
language plpgsql security definer set search_path = '' as $$
declare
  v_row    privacy.subject_keys;
  v_prefix text;
  v_events bigint;
  v_logs   bigint;
  v_seq    bigint;
begin
  if coalesce(pg_catalog.btrim(p_id), '') = '' then
    raise exception 'privacy.erase_subject: name the subject (an identifier as recorded, or its subject id)' using errcode = '22023';
  end if;
  if coalesce(pg_catalog.btrim(p_reason), '') = '' then
    raise exception 'privacy.erase_subject: a reason is required (it is recorded in the ledger)' using errcode = '22023';
  end if;
  -- The reason goes into the chain for good: it must not hold what is being erased.
  if strpos(pg_catalog.lower(p_reason), pg_catalog.lower(pg_catalog.btrim(p_id))) > 0 then
    raise exception 'privacy.erase_subject: the reason must not contain the identifier being erased (it is recorded in the ledger)' using errcode = '22023';
  end if;
  if p_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select * into v_row from privacy.subject_keys s where s.subject_id = p_id::uuid for update;
  end if;
  if v_row.subject_id is null then
    select * into v_row from privacy.subject_keys s where s.lookup = privacy.lookup_of(p_id) for update;
  end if;
  -- The message leaves the identifier out: server logs keep error messages.
  if v_row.subject_id is null then
    raise exception 'privacy.erase_subject: no such subject (never recorded, or erased already: an erased subject is found by its subject id only)'
      using errcode = 'P0002';
  end if;
  if v_row.erased_at is not null then
    return query select v_row.subject_id, 'already_erased'::text, null::bigint, null::bigint,
                        (select i.seq from ledger.idempotency_keys i where i.idempotency_key = 'privacy:erase:' || v_row.subject_id::text);
    return;
  end if;
  -- Tokens of this subject are only in rows recorded since it was made (partition pruning).
  v_prefix := 'pii:v1:' || v_row.subject_id::text || ':';
  select count(*) into v_events from ledger.events e
   where e.recorded_at >= v_row.created_at and (starts_with(e.actor, v_prefix) or strpos(e.payload::text, v_prefix) > 0);
  select count(*) into v_logs from ops.logs l
   where l.recorded_at >= v_row.created_at and strpos(l.fields::text, v_prefix) > 0;
  update privacy.subject_keys s set key = null, lookup = null, erased_at = pg_catalog.clock_timestamp(), erased_reason = p_reason
   where s.subject_id = v_row.subject_id;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, idempotency_key, payload)
  values ('privacy', pg_catalog.clock_timestamp(), 'system', 'subject_erased', 'subject', v_row.subject_id::text, session_user,
          'privacy:erase:' || v_row.subject_id::text,
          pg_catalog.jsonb_build_object('subject_id', v_row.subject_id, 'reason', p_reason, 'events', v_events, 'logs', v_logs,
                                        'subject_since', v_row.created_at))
  returning ledger.events.seq into v_seq;
  return query select v_row.subject_id, 'erased'::text, v_events, v_logs, v_seq;
end
$$;
revoke all on function privacy.erase_subject(text, text) from public;
comment on function privacy.erase_subject(text, text) is 'Crypto-shred a subject (identifier or subject id): destroy its key, record a subject_erased event (no personal data). Status erased or already_erased.';

select privacy.install_triggers();
