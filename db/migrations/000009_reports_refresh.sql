-- The heavy reports are materialized views (fast over years of fills); this table is their
-- register and their freshness: which exist, in what order they refresh (a report after
-- the ones it reads), and when each was last refreshed, how long that took and up to which
-- ledger event it includes. reports.materialize() (db/functions/300) keeps it; readers
-- (BI tools, `blotter report`) read it to say how fresh a report is.

create table reports.refreshes (
  name               text        primary key check (name ~ '^[a-z_][a-z0-9_]*$'),
  position           integer     not null,
  after_fills        boolean     not null default true,
  definition_md5     text        not null,
  created_at         timestamptz not null,
  refreshed_at       timestamptz not null,
  duration_ms        numeric     not null,
  row_count          bigint      not null,
  events_through_seq bigint,
  reason             text        not null
);
comment on table reports.refreshes is 'One row per materialized report: when it was last refreshed, how long that took, how many rows it holds and the last ledger event it includes.';
comment on column reports.refreshes.name is 'The materialized view, in schema reports';
comment on column reports.refreshes.position is 'Refresh order: a report refreshes after those it reads';
comment on column reports.refreshes.after_fills is 'Refreshed by the refresh that fills ask for (every minute or so); false: only by the others (statements, the close, nightly, by hand)';
comment on column reports.refreshes.definition_md5 is 'md5 of the definition it was created from (a changed definition is re-created on migrate)';
comment on column reports.refreshes.created_at is 'When it was (re-)created';
comment on column reports.refreshes.refreshed_at is 'When its last refresh finished';
comment on column reports.refreshes.duration_ms is 'How long the last refresh took, in milliseconds';
comment on column reports.refreshes.row_count is 'Rows after the last refresh';
comment on column reports.refreshes.events_through_seq is 'The highest ledger seq when it was last refreshed: events up to it are included (a later one may be too)';
comment on column reports.refreshes.reason is 'What asked for the last refresh: created, fills, statement, recon, manual, ...';

