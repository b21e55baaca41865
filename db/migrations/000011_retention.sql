-- Retention: how long each family of records is kept, and a lock that can only lengthen
-- it. A locked family's policy cannot be shortened, unlocked or removed by any role (the
-- triggers in db/functions/400_retention.sql; only a superuser can get past them, and the
-- chain of retention_policy_changed events and the signed digests show that). Nothing is
-- deleted by a policy: archive and purge act on it (issue 12).

create schema retention;
comment on schema retention is 'Retention policies per family of records, and the lock that can only lengthen them.';

create table retention.policies (
  family     text        primary key check (family in ('ledger_events', 'ops_logs', 'ops_metrics', 'job_history', 'file_logs')),
  keep       interval    not null check (keep > interval '0'),
  locked     boolean     not null default false,
  changed_at timestamptz not null default clock_timestamp(),
  changed_by text        not null default session_user
);
comment on table retention.policies is 'How long each family of records is kept (at least). A locked policy can only be lengthened, for every role.';
comment on column retention.policies.family is 'ledger_events (ledger.events), ops_logs (ops.logs), ops_metrics (ops.metrics), job_history (graphile-worker''s finished jobs), file_logs (rotated log files)';
comment on column retention.policies.keep is 'Records younger than this are kept; older ones may be archived and then purged';
comment on column retention.policies.locked is 'The retention lock: keep can only grow and the lock cannot be lifted';
comment on column retention.policies.changed_at is 'When the policy last changed';
comment on column retention.policies.changed_by is 'Who changed it (the database user)';

-- The ledger is kept 7 years and locked from the start (SEC 17a-4 and MiFID II keep
-- trading records 5 to 7 years); the operational records are not locked.
insert into retention.policies (family, keep, locked) values
  ('ledger_events', interval '7 years', true),
  ('ops_logs', interval '3 years', false),
  ('ops_metrics', interval '1 year', false),
  ('job_history', interval '90 days', false),
  ('file_logs', interval '1 year', false);
