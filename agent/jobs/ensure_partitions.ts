// ensure_partitions: creates the ledger's and ops' monthly partitions ahead of time, so a
// month never starts in the DEFAULT partition. Daily (crontab.ts).
import type pino from 'pino';
import type postgres from 'postgres';
import type { Task } from 'graphile-worker';

export const TASK = 'ensure_partitions';

export function run(deps: { sql: postgres.Sql; log: pino.Logger; partitionsAhead: number }): Task {
  return async () => {
    const ahead = deps.partitionsAhead;
    const rows = await deps.sql`select ledger.ensure_partitions(${ahead}) as name union all select ops.ensure_partitions(${ahead})`;
    deps.log.info({ created: rows.map((r) => r.name) }, 'partitions ensured');
  };
}
