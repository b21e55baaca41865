// graphile-worker inside the agent: its own node-postgres pool, the task list and the
// crontab. Started once the database is ready; stopped within a deadline.
import pg from 'pg';
import type pino from 'pino';
import type postgres from 'postgres';
import { Logger as WorkerLogger, run as runWorker } from 'graphile-worker';
import { withDeadline } from '../db/deadline.ts';

export type JobsOptions = { url: string; sql: postgres.Sql; concurrency: number; partitionsAhead: number; log: pino.Logger };

export async function startJobs(o: JobsOptions): Promise<{ stop: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: o.url, max: 2, application_name: 'blotter-jobs', connectionTimeoutMillis: 10_000 });
  // Errors on idle clients must be handled or they crash the process (pg's rule).
  pool.on('error', (err) => o.log.warn({ err: err.message }, 'jobs: database pool error'));
  pool.on('connect', (client) => client.on('error', (err) => o.log.warn({ err: err.message }, 'jobs: database client error')));
  const workerLog = new WorkerLogger(() => (level, message, meta) => {
    o.log[level === 'warning' ? 'warn' : level]({ ...meta, component: 'graphile-worker' }, message);
  });
  const ahead = o.partitionsAhead;
  let runner;
  try {
    runner = await runWorker({
      pgPool: pool,
      concurrency: o.concurrency,
      noHandleSignals: true,
      logger: workerLog,
      pollInterval: 2000,
      taskList: {
        ensure_partitions: async () => {
          const rows = await o.sql`select ledger.ensure_partitions(${ahead}) as name union all select ops.ensure_partitions(${ahead})`;
          o.log.info({ created: rows.map((r) => r.name) }, 'partitions ensured');
        },
      },
      // Daily at 03:05 UTC; a missed run within a day is caught up on start.
      crontab: '5 3 * * * ensure_partitions ?fill=1d&max=3',
    });
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const r = runner;
  return {
    stop: async () => {
      await withDeadline(r.stop(), 5000, 'jobs stop').catch((err) => o.log.warn({ err: (err as Error).message }, 'jobs: stop timed out'));
      await withDeadline(pool.end(), 2000, 'jobs pool end').catch(() => {});
    },
  };
}
