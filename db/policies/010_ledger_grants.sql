-- Who may do what with the ledger. Re-applied on every migrate, so this file is the
-- whole truth: it revokes first, then grants. Roles are created by db/bootstrap.sql.
--   blotter_agent    appends events (only the columns a writer may set) and creates partitions
--   blotter_auditor  reads everything in ledger and runs verify
--   blotter_reviewer, blotter_bi  nothing in ledger (later: recon, reports)

revoke all on schema ledger from public;
revoke all on all tables in schema ledger from public, blotter_agent, blotter_auditor, blotter_reviewer, blotter_bi;
revoke all on all sequences in schema ledger from public, blotter_agent, blotter_auditor, blotter_reviewer, blotter_bi;
revoke all on all functions in schema ledger from public, blotter_agent, blotter_auditor, blotter_reviewer, blotter_bi;

grant usage on schema ledger to blotter_agent, blotter_auditor;

-- seq, stream_seq, recorded_at, prev_hash and hash are the ledger's to assign.
grant insert (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor,
              session_id, idempotency_key, payload)
  on ledger.events to blotter_agent;
grant usage on sequence ledger.events_seq_seq to blotter_agent;
grant select on ledger.streams to blotter_agent;
-- The API answers `duplicate` for keys the ledger already holds.
grant select on ledger.idempotency_keys to blotter_agent;
grant execute on function ledger.ensure_partitions(integer) to blotter_agent;
grant execute on function ledger.compare_keys(jsonb) to blotter_agent;
grant execute on function ledger.flex_appended(text[], bigint[]) to blotter_agent;

grant select on all tables in schema ledger to blotter_auditor;
grant execute on all functions in schema ledger to blotter_auditor;
revoke execute on function ledger.ensure_partitions(integer) from blotter_auditor;
revoke execute on function ledger.create_month_partitions(regclass, integer) from blotter_agent, blotter_auditor;

-- ops: the agent writes logs and metrics; the auditor reads them.
revoke all on schema ops from public;
revoke all on all tables in schema ops from public, blotter_agent, blotter_auditor, blotter_reviewer, blotter_bi;
revoke all on all functions in schema ops from public;
grant usage on schema ops to blotter_agent, blotter_auditor;
grant insert (logged_at, level, category, source, msg, fields, session_id) on ops.logs to blotter_agent;
grant insert (observed_at, name, value, labels, session_id) on ops.metrics to blotter_agent;
grant select on ops.logs, ops.metrics to blotter_agent, blotter_auditor;
grant execute on function ops.ensure_partitions(integer) to blotter_agent;
