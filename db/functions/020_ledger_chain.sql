-- Appending to the ledger: idempotency, gapless stream_seq and the hash chain.
--
-- Per statement, the first row for a stream takes the stream's advisory lock (held to the
-- end of the transaction) and reads the stored head; later rows carry the running head in
-- a transaction-local setting; once the statement is done, the head row is written once per
-- stream. Writing the head once per row is quadratic inside one transaction (200k rows did
-- not finish in 10 minutes that way), and a transition table cost more than the hashing.
--
-- A running head is only trusted when it carries the nonce that this statement's BEFORE
-- trigger drew, so a value set before the statement is ignored and the head is re-read
-- from ledger.streams. A writer able to run its own functions in the middle of an
-- INSERT ... SELECT could still corrupt its own rows' links; verify reports that.

-- Advisory lock class for stream locks, kept apart from other users of advisory locks.
create or replace function ledger.stream_lock_class() returns integer
language sql immutable parallel safe as $$ select 1651270760 $$;

-- Name of the setting that carries a stream's running head. Setting names allow only
-- identifier characters, hence the digest of the stream name.
create or replace function ledger.stream_state_name(p_stream text) returns text
language sql immutable parallel safe as $$ select 'blotter.c' || md5(p_stream) $$;

-- At most this many streams in one statement: the list of touched streams is a setting
-- (32 characters a stream) that grows by copying.
create or replace function ledger.max_streams_per_statement() returns integer
language sql immutable parallel safe as $$ select 1000 $$;

create or replace function ledger.tg_events__begin_statement() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  -- An append nested inside another (a function called by an INSERT ... SELECT that itself
  -- appends) would reset the outer statement's running heads.
  if coalesce(current_setting('blotter.stmt', true), '') <> '' then
    raise exception 'ledger.events: an append cannot run inside another append statement'
      using errcode = '55000';
  end if;
  perform set_config('blotter.stmt', md5(random()::text || clock_timestamp()::text), true);
  perform set_config('blotter.run', '', true);
  perform set_config('blotter.touched', '', true);
  return null;
end
$$;

-- Running heads, all transaction-local settings:
--   blotter.run          the stream of the previous row: <length(stream)>:<stream><hash hex><stream_seq>
--   blotter.c<md5>       a stream set aside when the rows switched to another:
--                        <nonce><hash hex><stream_seq>:<stream>
--   blotter.touched      md5 of every stream this statement appended to, concatenated
-- The common case, rows grouped by stream, only ever reads and writes blotter.run.
create or replace function ledger.tg_events__chain() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_run    text := current_setting('blotter.run', true);
  v_key    text := length(new.stream)::text || ':' || new.stream;
  v_seq    bigint;
  v_prev   bytea;
  v_saved  text;
  v_nonce  text;
begin
  if starts_with(v_run, v_key) then
    v_prev := decode(substr(v_run, length(v_key) + 1, 64), 'hex');
    v_seq := substr(v_run, length(v_key) + 65)::bigint;
  else
    v_nonce := current_setting('blotter.stmt', true);
    if v_nonce is null or v_nonce = '' then
      raise exception 'ledger.events: statement trigger _100_begin_statement did not run (stream %)', new.stream
        using errcode = '55000';
    end if;
    -- Set the previous stream aside, then pick this one up where this statement left it.
    if v_run <> '' then
      perform ledger.set_aside_run(v_run, v_nonce);
    end if;
    v_saved := current_setting('blotter.c' || md5(new.stream), true);
    if left(v_saved, 32) = v_nonce then
      v_prev := decode(substr(v_saved, 33, 64), 'hex');
      v_seq := split_part(substr(v_saved, 97), ':', 1)::bigint;
    else
      -- Under REPEATABLE READ or SERIALIZABLE the head read below would come from a
      -- snapshot taken before the lock was granted, and two writers would fork the chain.
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'ledger appends require READ COMMITTED isolation (stream %, isolation %)',
          new.stream, current_setting('transaction_isolation')
          using errcode = '25001';
      end if;
      perform pg_catalog.pg_advisory_xact_lock(ledger.stream_lock_class(), hashtext(new.stream));
      select s.stream_seq, s.hash into v_seq, v_prev from ledger.streams s where s.stream = new.stream;
      if not found then
        v_seq := 0;
        v_prev := ledger.genesis_hash();
      end if;
      if length(current_setting('blotter.touched')) >= 32 * ledger.max_streams_per_statement() then
        raise exception 'ledger.events: one statement may append to at most % streams', ledger.max_streams_per_statement()
          using errcode = '54000';
      end if;
      perform set_config('blotter.touched', current_setting('blotter.touched') || md5(new.stream), true);
    end if;
    v_run := v_key || encode(v_prev, 'hex') || v_seq::text;
    perform set_config('blotter.run', v_run, true);
  end if;

  new.stream_seq := v_seq + 1;

  -- A duplicate key is dropped before it takes a chain position, so it leaves no gap.
  if new.idempotency_key is not null then
    insert into ledger.idempotency_keys (idempotency_key, seq)
    values (new.idempotency_key, new.seq)
    on conflict do nothing;
    if not found then
      return null;
    end if;
  end if;

  new.prev_hash := v_prev;
  new.hash := sha256(v_prev || ledger.canonical_bytes(
    new.stream, new.stream_seq, new.recorded_at, new.occurred_at, new.source, new.event_type,
    new.entity_type, new.entity_id, new.account, new.actor, new.session_id,
    new.idempotency_key, new.payload));
  perform set_config('blotter.run', v_key || encode(new.hash, 'hex') || new.stream_seq::text, true);
  return new;
end
$$;

-- Move the running head (blotter.run) into its stream's own setting, tagged with the nonce.
create or replace function ledger.set_aside_run(p_run text, p_nonce text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_len    integer := split_part(p_run, ':', 1)::integer;
  v_off    integer := length(split_part(p_run, ':', 1)) + 2;
  v_stream text := substr(p_run, v_off, v_len);
begin
  perform set_config('blotter.c' || md5(v_stream),
    p_nonce || substr(p_run, v_off + v_len, 64) || substr(p_run, v_off + v_len + 64) || ':' || v_stream, true);
end
$$;
revoke all on function ledger.set_aside_run(text, text) from public;

-- Once per statement: write the head of every stream the statement appended to, and count
-- the rows (the loader reads blotter.appended: COPY's own count does not reach every
-- client, and duplicates are dropped silently).
create or replace function ledger.tg_events__end_statement() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_nonce   text := current_setting('blotter.stmt', true);
  v_run     text := current_setting('blotter.run', true);
  v_touched text := coalesce(current_setting('blotter.touched', true), '');
  v_saved   text;
  v_rest    text;
  v_stream  text;
  v_seq     bigint;
  v_head    bigint;
  v_total   bigint := 0;
begin
  if coalesce(v_run, '') <> '' then
    perform ledger.set_aside_run(v_run, v_nonce);
  end if;
  for i in 0 .. length(v_touched) / 32 - 1 loop
    v_saved := current_setting('blotter.c' || substr(v_touched, i * 32 + 1, 32), true);
    continue when left(v_saved, 32) is distinct from v_nonce;
    v_rest := substr(v_saved, 97);
    v_seq := split_part(v_rest, ':', 1)::bigint;
    v_stream := substr(v_rest, length(split_part(v_rest, ':', 1)) + 2);
    select s.stream_seq into v_head from ledger.streams s where s.stream = v_stream;
    continue when v_seq = coalesce(v_head, 0);
    insert into ledger.streams as s (stream, stream_seq, hash, updated_at)
    values (v_stream, v_seq, decode(substr(v_saved, 33, 64), 'hex'), clock_timestamp())
    on conflict (stream) do update
      set stream_seq = excluded.stream_seq, hash = excluded.hash, updated_at = excluded.updated_at;
    v_total := v_total + v_seq - coalesce(v_head, 0);
  end loop;
  perform set_config('blotter.stmt', '', true);
  perform set_config('blotter.run', '', true);
  perform set_config('blotter.touched', '', true);
  perform set_config('blotter.appended',
    (coalesce(nullif(current_setting('blotter.appended', true), ''), '0')::bigint + v_total)::text, true);
  return null;
end
$$;

drop trigger if exists _300_advance_heads on ledger.events;
drop function if exists ledger.tg_events__advance_heads();
create or replace trigger _100_begin_statement before insert on ledger.events
  for each statement execute function ledger.tg_events__begin_statement();
create or replace trigger _200_chain before insert on ledger.events
  for each row execute function ledger.tg_events__chain();
create or replace trigger _300_end_statement after insert on ledger.events
  for each statement execute function ledger.tg_events__end_statement();
