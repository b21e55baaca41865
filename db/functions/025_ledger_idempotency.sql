-- Idempotency keys seen before, and whether the event that comes with one again is the
-- same event. The agent answers a retry `duplicate` and a reused key with different
-- content `conflict`; it cannot read the journal itself (least privilege), so it asks here.
--
-- "The same event" means the same stream, source, type, time, entity, account, actor and
-- payload; session_id may differ (a bot retrying after its own restart has a new session).
-- Times compare as instants and payloads as jsonb (key order and number formatting aside).
-- Personal fields are stored as tokens (015_ledger_personal_data.sql) and compare by their
-- plaintext; once the subject is erased they read '[erased]', so a retry is a conflict.
create or replace function ledger.compare_keys(p_items jsonb)
returns table (item integer, idempotency_key text, seq bigint, same boolean)
language sql stable security definer set search_path = '' as $$
  select (x.n - 1)::integer, x.k, i.seq,
         -- as stored first (no personal fields: no decryption); CASE keeps that order
         case when (e.stream, e.source, e.event_type, e.occurred_at, e.entity_type, e.entity_id, e.account, e.actor, e.payload)
                   is not distinct from (x.stream, x.source, x.event_type, x.occurred_at, x.entity_type, x.entity_id, x.account, x.actor, x.payload)
              then true
              else coalesce((e.stream, e.source, e.event_type, e.occurred_at, e.entity_type, e.entity_id, e.account, privacy.reveal(e.actor), privacy.reveal_json(e.payload))
                            is not distinct from
                            (x.stream, x.source, x.event_type, x.occurred_at, x.entity_type, x.entity_id, x.account, privacy.reveal(x.actor), privacy.reveal_json(x.payload)), false) end
    from rows from (pg_catalog.jsonb_to_recordset(p_items) as (k text, stream text, source text, event_type text, occurred_at timestamptz,
                                                               entity_type text, entity_id text, account text, actor text, payload jsonb))
         with ordinality as x(k, stream, source, event_type, occurred_at, entity_type, entity_id, account, actor, payload, n)
    join ledger.idempotency_keys i on i.idempotency_key = x.k collate "C"
    left join ledger.events e on e.seq = i.seq
$$;
comment on function ledger.compare_keys(jsonb) is
  'For each item {k, stream, source, event_type, occurred_at, entity_type, entity_id, account, actor, payload} whose key is known: its index in p_items (from 0), the seq of the first event with that key and whether this item is the same event.';
