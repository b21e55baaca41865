-- The ledger: one append-only journal of every fact blotter records, hash-chained per
-- stream (db/functions/ledger_chain.sql) and range-partitioned by month on recorded_at.
-- Format of the chain: docs/ledger-format.md.

create schema ledger;

create sequence ledger.events_seq_seq as bigint;

create table ledger.events (
  seq             bigint      not null default nextval('ledger.events_seq_seq'),
  stream          text        not null,
  stream_seq      bigint      not null,
  recorded_at     timestamptz not null default clock_timestamp(),
  occurred_at     timestamptz not null,
  source          text        not null,
  event_type      text        not null,
  entity_type     text,
  entity_id       text,
  account         text,
  actor           text,
  session_id      text,
  idempotency_key text,
  payload         jsonb       not null,
  prev_hash       bytea       not null,
  hash            bytea       not null,
  constraint events_stream_check     check (stream <> '' and octet_length(stream) <= 200),
  constraint events_stream_seq_check check (stream_seq > 0),
  constraint events_source_check     check (source in ('ib', 'bot', 'flex', 'system', 'user')),
  constraint events_event_type_check check (event_type ~ '^[a-z][a-z0-9_]{0,62}$'),
  constraint events_payload_check    check (jsonb_typeof(payload) = 'object'),
  constraint events_hash_check       check (octet_length(prev_hash) = 32 and octet_length(hash) = 32)
) partition by range (recorded_at);

alter sequence ledger.events_seq_seq owned by ledger.events.seq;

comment on table ledger.events is
  'The append-only journal: every order, fill, position, balance, signal, config change and user action, hash-chained per stream. Partitioned by month on recorded_at.';

-- Rows that fall outside every monthly partition land here rather than fail.
create table ledger.events_default partition of ledger.events default;

-- stream_seq is unique per stream, but a unique index on a partitioned table must include
-- the partition key, so uniqueness is guarded by the chain trigger and checked by verify.
create index events_stream_seq_idx on ledger.events (stream, stream_seq);
create index events_seq_idx on ledger.events (seq);

-- Current head of each stream, written once per statement by the chain trigger.
create table ledger.streams (
  stream      text        primary key,
  stream_seq  bigint      not null check (stream_seq > 0),
  hash        bytea       not null check (octet_length(hash) = 32),
  updated_at  timestamptz not null default clock_timestamp()
);
comment on table ledger.streams is 'Head (last stream_seq and hash) of every stream; verify checks it against the last row.';

-- A unique key cannot span partitions, so idempotency keys live in one plain table, kept
-- narrow (an insert into it is a third of the cost of an append). Keys compare bytewise
-- (collate "C") whatever the database's collation.
create table ledger.idempotency_keys (
  idempotency_key text collate "C" primary key,
  seq             bigint not null
);
comment on table ledger.idempotency_keys is 'Idempotency key of every event that had one, with the seq of the event it first came with; a later event with the same key is dropped.';

-- Heads exported outside the database; a digest taken earlier catches a rewritten tail.
create table ledger.digests (
  digest_id   bigint      generated always as identity primary key,
  stream      text        not null,
  stream_seq  bigint      not null,
  hash        bytea       not null,
  taken_at    timestamptz not null default clock_timestamp(),
  taken_by    text        not null default current_user
);
comment on table ledger.digests is 'Stream heads recorded by `blotter digest`; the same heads are written to a file kept elsewhere.';
