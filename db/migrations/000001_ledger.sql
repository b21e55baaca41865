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

comment on column ledger.events.seq is 'Global order of arrival across all streams; may skip numbers (a rolled-back insert uses one up). Not hashed.';
comment on column ledger.events.stream is 'The chain this event belongs to; stream_seq and the hash chain are per stream.';
comment on column ledger.events.stream_seq is 'Position in the stream: 1, 2, 3, ... without gaps. Assigned by the ledger.';
comment on column ledger.events.recorded_at is 'When the ledger recorded the event (clock_timestamp(), UTC, microseconds). The partition key. Assigned by the ledger.';
comment on column ledger.events.occurred_at is 'When it happened, by the clock of whoever reported it (broker or bot).';
comment on column ledger.events.source is 'Who reported it: ib (the broker relay), bot, flex (broker statements), system (blotter itself), user.';
comment on column ledger.events.event_type is 'What kind of event, snake_case (order_submitted, execution, position_snapshot, ...).';
comment on column ledger.events.entity_type is 'Kind of thing the event is about (order, execution, position, account, config, ...).';
comment on column ledger.events.entity_id is 'Identifier of that thing (order ref, exec id, config key, ...).';
comment on column ledger.events.account is 'Broker account the event concerns, if any.';
comment on column ledger.events.actor is 'Who or what acted: a strategy, a user name, the agent.';
comment on column ledger.events.session_id is 'Session of the bot or the agent that reported it.';
comment on column ledger.events.idempotency_key is 'A later event with the same key is dropped as a duplicate (see ledger.idempotency_keys).';
comment on column ledger.events.payload is 'The event itself as a JSON object; money and quantities as exact numbers or decimal strings.';
comment on column ledger.events.prev_hash is 'hash of the previous row of the stream (32 zero bytes for stream_seq 1).';
comment on column ledger.events.hash is 'sha256(prev_hash || canonical bytes of this row); see docs/ledger-format.md.';

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
