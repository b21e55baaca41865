-- Append-only: UPDATE, DELETE and TRUNCATE of the journal raise for every role, the owner
-- included. A superuser can still bypass triggers; the hash chain and digests catch that.

create or replace function ledger.tg_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception '% on %.% is not allowed: the ledger is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = '42501', hint = 'Record a correcting event instead.';
end
$$;

create or replace trigger _100_append_only before update or delete on ledger.events
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ledger.events
  for each statement execute function ledger.tg_refuse_change();
create or replace trigger _100_append_only before update or delete on ledger.idempotency_keys
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ledger.idempotency_keys
  for each statement execute function ledger.tg_refuse_change();
create or replace trigger _100_append_only before update or delete on ledger.digests
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ledger.digests
  for each statement execute function ledger.tg_refuse_change();
-- The heads are updated by the chain trigger, so only their removal is refused.
create or replace trigger _100_append_only before delete on ledger.streams
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ledger.streams
  for each statement execute function ledger.tg_refuse_change();

create or replace trigger _100_append_only before update or delete on ops.logs
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ops.logs
  for each statement execute function ledger.tg_refuse_change();
create or replace trigger _100_append_only before update or delete on ops.metrics
  for each row execute function ledger.tg_refuse_change();
create or replace trigger _110_no_truncate before truncate on ops.metrics
  for each statement execute function ledger.tg_refuse_change();

-- Row triggers reach every partition through the parent, statement triggers do not:
-- TRUNCATE of one partition needs its own trigger (ensure_partitions adds it to new ones).
do $$
declare
  v_part regclass;
begin
  for v_part in select inhrelid::regclass from pg_catalog.pg_inherits
                 where inhparent in ('ledger.events'::regclass, 'ops.logs'::regclass, 'ops.metrics'::regclass)
  loop
    execute format('create or replace trigger _110_no_truncate before truncate on %s
                    for each statement execute function ledger.tg_refuse_change()', v_part);
  end loop;
end
$$;
