-- Archives and purge (issue 12). A month of a partitioned family leaves the database in
-- three steps: `blotter archive` writes it to Parquet files with a manifest and records
-- that here; the archive is verified (every row's hash recomputed from the files); then
-- `blotter purge`, only past retention, records a checkpoint per ledger stream and drops
-- the month. `verify` of what remains starts from the checkpoints.

create table retention.archives (
  family          text        not null check (family in ('ledger_events', 'ops_logs', 'ops_metrics')),
  month           date        not null check (extract(day from month) = 1),
  location        text        not null,
  manifest_sha256 text        not null check (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  rows            bigint      not null check (rows >= 0),
  bytes           bigint      not null check (bytes >= 0),
  table_bytes     bigint      not null check (table_bytes >= 0),
  archived_at     timestamptz not null default clock_timestamp(),
  archived_by     text        not null default session_user,
  verified_at     timestamptz,
  purged_at       timestamptz,
  primary key (family, month)
);
comment on table retention.archives is 'Months written to archive files (blotter archive), when their archive was last verified against the database, and when they were purged.';
comment on column retention.archives.location is 'Where the files are: a directory or s3://bucket/prefix (never credentials)';
comment on column retention.archives.manifest_sha256 is 'SHA-256 of the month''s manifest.json, as written';
comment on column retention.archives.rows is 'Rows archived';
comment on column retention.archives.bytes is 'Bytes of the archive''s data files (after compression and encryption)';
comment on column retention.archives.table_bytes is 'Bytes the month''s partition took in PostgreSQL (table, indexes, TOAST) when it was archived';
comment on column retention.archives.verified_at is 'When the archive was last read back and checked against the month in the database; purge needs it';
comment on column retention.archives.purged_at is 'When the month''s partition was dropped';

-- Where verification of a stream starts once its oldest rows are gone: the last purged
-- row's stream_seq and hash. The row after it must link to this hash. Append-only.
create table ledger.checkpoints (
  stream          text        not null,
  stream_seq      bigint      not null check (stream_seq > 0),
  hash            bytea       not null check (length(hash) = 32),
  month           date        not null,
  manifest_sha256 text        not null,
  created_at      timestamptz not null default clock_timestamp(),
  primary key (stream, stream_seq)
);
comment on table ledger.checkpoints is 'Per stream, the last row removed by a purge (stream_seq and hash): verify starts there instead of at genesis. The archive named by manifest_sha256 holds the rows before it.';

-- Its append-only triggers are in db/functions/410_archive.sql (functions come after migrations).
