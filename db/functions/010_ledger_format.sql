-- The canonical bytes each ledger row is hashed over, and the genesis hash.
-- docs/ledger-format.md is the normative description; blotter verify re-implements it in
-- TypeScript, and test vectors pin both. Changing anything here breaks every chain.

-- A timestamp: signed 64-bit big-endian microseconds since 2000-01-01 00:00:00 UTC, which
-- is exactly timestamptz's binary send form: no arithmetic, and no dependence on TimeZone
-- or DateStyle. (Unix-epoch microseconds through extract() cost seven times as much.)
create or replace function ledger.canonical_time(p_value timestamptz) returns bytea
language sql immutable parallel safe as $$
  select timestamptz_send(p_value)
$$;

-- Version byte 0x01; stream_seq (int8, big-endian); recorded_at and occurred_at as above;
-- then, as UTF-8 text, each remaining text column as quote_nullable() gives it (NULL, or a
-- quoted literal with ' and \ doubled and E before it when it holds a \), each followed by
-- a comma; then the payload as jsonb's own text, running to the end.
-- One convert_to for all text: each call looks its encoding up by name, which cost more
-- than the hashing. Declared stable (not strict) so the planner inlines it.
create or replace function ledger.canonical_bytes(
  p_stream text, p_stream_seq bigint, p_recorded_at timestamptz, p_occurred_at timestamptz,
  p_source text, p_event_type text, p_entity_type text, p_entity_id text, p_account text,
  p_actor text, p_session_id text, p_idempotency_key text, p_payload jsonb
) returns bytea
language sql stable parallel safe as $$
  select '\x01'::bytea
      || int8send(p_stream_seq)
      || timestamptz_send(p_recorded_at)
      || timestamptz_send(p_occurred_at)
      || convert_to(quote_nullable(p_stream) || ',' || quote_nullable(p_source) || ','
                    || quote_nullable(p_event_type) || ',' || quote_nullable(p_entity_type) || ','
                    || quote_nullable(p_entity_id) || ',' || quote_nullable(p_account) || ','
                    || quote_nullable(p_actor) || ',' || quote_nullable(p_session_id) || ','
                    || quote_nullable(p_idempotency_key) || ',' || p_payload::text, 'UTF8')
$$;

-- prev_hash of the first row of every stream.
create or replace function ledger.genesis_hash() returns bytea
language sql immutable parallel safe as $$
  select '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
$$;

drop function if exists ledger.canonical_text(text);
