// graphile-worker's schema belongs to blotter_owner, like every other blotter object. The
// ledger's after-fill trigger (a definer function owned by blotter_owner) enqueues jobs
// with graphile_worker.add_job, and graphile-worker's tables have row-level security
// without policies: only their owner (or a superuser) can add a job. So the worker's
// connections act as blotter_owner (its migrations then create objects owned by it), and a
// schema an earlier agent installed as the login user is handed over once, here.
import pg from 'pg';
import { BlotterError } from "../errors.js";
export const WORKER_ROLE = 'blotter_owner';
// pg_advisory_xact_lock key for the hand-over: its own, one above migrate's (agent/db/migrate.ts).
const ADOPT_LOCK = '7426985132771842';
// Run as the login user (owner of the old objects, or a superuser, and a member of
// blotter_owner, which db/bootstrap.sql grants). Sequences owned by a table column move
// with their table; indexes and row types likewise. Idempotent: nothing to do is a no-op.
const ADOPT = `
do $adopt$
declare
  v_schema constant regnamespace := to_regnamespace('graphile_worker');
  v_owner constant regrole := '${WORKER_ROLE}';
  r record;
begin
  if v_schema is null then
    return;
  end if;
  -- Agents starting together hand it over one after the other (the second finds nothing
  -- left to do), rather than racing on the same catalog rows.
  perform pg_catalog.pg_advisory_xact_lock(${ADOPT_LOCK});
  if (select nspowner from pg_catalog.pg_namespace where oid = v_schema) <> v_owner then
    execute format('alter schema %s owner to %s', v_schema, v_owner);
  end if;
  for r in
    select format('alter %s %s owner to %s',
                  case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
                  c.oid::regclass, v_owner) as stmt
      from pg_catalog.pg_class c
     where c.relnamespace = v_schema and c.relowner <> v_owner and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
       and not (c.relkind = 'S' and exists (select 1 from pg_catalog.pg_depend d
                                             where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                               and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')))
    union all
    select format('alter routine %s owner to %s', p.oid::regprocedure, v_owner)
      from pg_catalog.pg_proc p
     where p.pronamespace = v_schema and p.proowner <> v_owner
    union all
    -- Standalone types only: a table's row type and an array type follow their owner.
    select format('alter type %s owner to %s', t.oid::regtype, v_owner)
      from pg_catalog.pg_type t
     where t.typnamespace = v_schema and t.typowner <> v_owner and t.typelem = 0
       and (t.typtype in ('e', 'd', 'r', 'm') or (t.typtype = 'c' and (select relkind from pg_catalog.pg_class where oid = t.typrelid) = 'c'))
  loop
    execute r.stmt;
  end loop;
end
$adopt$`;
// Hand an existing graphile_worker schema, and everything in it, to blotter_owner.
export async function adoptWorkerSchema(url) {
    const client = new pg.Client({ connectionString: url, application_name: 'blotter-jobs-adopt', connectionTimeoutMillis: 10_000 });
    client.on('error', () => { });
    await client.connect();
    try {
        await client.query(ADOPT);
    }
    catch (err) {
        throw new BlotterError('JOBS_SCHEMA_OWNER', `schema graphile_worker could not be handed to ${WORKER_ROLE} (${err.message}): run the agent once as the schema's owner or a superuser, or have a DBA reassign it`, { cause: err });
    }
    finally {
        await client.end().catch(() => { });
    }
}
// node-postgres options that make every connection act as blotter_owner.
export const workerConnectionOptions = `-c role=${WORKER_ROLE}`;
