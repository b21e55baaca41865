// graphile-worker inside the agent: its own node-postgres pool, the task list and the
// crontab. Started once the database is ready; stopped within a deadline.
// A task is a file in this directory exporting TASK and run(deps); its schedule is a line
// in crontab.ts.
import pg from 'pg';
import type pino from 'pino';
import type postgres from 'postgres';
import { Logger as WorkerLogger, run as runWorker, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { Config } from '../config.ts';
import { withDeadline } from '../db/deadline.ts';
import { CRONTAB } from './crontab.ts';
import * as ensurePartitions from './ensure_partitions.ts';
import * as verifyChain from './verify_chain.ts';
import * as reportsRefresh from './reports_refresh.ts';
import * as reportFiles from './report_files.ts';
import * as digestExport from './digest_export.ts';
import * as flexFetch from './flex_fetch.ts';
import { sqlDeps, type ReconDeps } from './recon.ts';
import * as reconAfterFill from './recon_after_fill.ts';
import * as reconClose from './recon_close.ts';
import * as reconHourly from './recon_hourly.ts';
import * as reconMonthly from './recon_monthly.ts';
import * as reconWeekly from './recon_weekly.ts';
import * as archiveTask from './archive_task.ts';
import { adoptWorkerSchema, workerConnectionOptions } from './worker-role.ts';

export type JobsOptions = {
  url: string; sql: postgres.Sql; concurrency: number; partitionsAhead: number; reconTimeoutMs: number; log: pino.Logger;
  // IB Flex: settings and BLOTTER_HOME (statements are kept under it); a test replaces the fetch.
  // Without it the flex_fetch task has nothing configured and does nothing.
  flex?: { settings: Config['flex']; home: string; fetchAndImport?: flexFetch.FlexJobDeps['fetchAndImport'] };
  // Scheduled report files; without it the report tasks do nothing.
  reports?: { settings: Config['reports']; home: string };
  // Signed digests; without it the digest task does nothing.
  digests?: { settings: Config['digests']; home: string };
  // Archives; without it the archive task only sweeps the job history.
  archive?: { settings: Config['archive']; home: string; logFile: string | null };
  // Tests replace the SQL behind the reconciliation tasks, and listen to graphile-worker's
  // events (cron:started, job:complete); the agent does neither.
  recon?: ReconDeps;
  events?: WorkerEvents;
};

const NO_FLEX: Config['flex'] = {
  token: '', queries: [], url: '', user_agent: '', dir: '', date_format: 'auto', fetch_enabled: false, fetch_sessions: 1, poll_ms: 6000, max_wait_ms: 60_000,
  throttle_backoff_ms: 600_000, request_timeout_ms: 60_000, import_timeout_ms: 60_000,
};

const NO_REPORTS: Config['reports'] = { dir: '', formats: [], daily_enabled: false, monthly_enabled: false, accounts: [], chromium: '' };

const NO_DIGESTS: Config['digests'] = { enabled: false, dir: '', key_file: '', every_minutes: 15 };

const NO_ARCHIVE: Config['archive'] = {
  enabled: false, auto_purge: false, location: '', s3_endpoint: '', s3_region: 'us-east-1', s3_access_key_id: '', s3_secret_access_key: '',
  s3_force_path_style: false, recipients: [], sign_key: '',
};

export function taskList(o: { sql: postgres.Sql; log: pino.Logger; partitionsAhead: number; recon: ReconDeps; flex?: JobsOptions['flex']; reports?: JobsOptions['reports'] & { url: string }; digests?: JobsOptions['digests']; archive?: JobsOptions['archive'] }): TaskList {
  const files = { log: o.log.child({ module: 'reports' }), sql: o.sql, url: o.reports?.url ?? '', settings: o.reports?.settings ?? NO_REPORTS, home: o.reports?.home ?? '.', sessions: o.recon.sessions };
  const flexLog = o.log.child({ module: 'flex' });
  const flex = o.flex ?? { settings: NO_FLEX, home: '.' };
  return {
    [flexFetch.TASK]: flexFetch.run({
      log: flexLog, settings: flex.settings, recon: o.recon,
      fetchAndImport: flex.fetchAndImport ?? (async (queryId, from, to) =>
        // Loaded when first needed: the statement parser is idle weight for an agent without Flex.
        (await import('../flex/fetch.ts')).fetchAndImport(o.sql, { settings: flex.settings, home: flex.home, queryId, fromDate: from, toDate: to, log: flexLog })),
    }),
    [ensurePartitions.TASK]: ensurePartitions.run({ sql: o.sql, log: o.log, partitionsAhead: o.partitionsAhead }),
    [verifyChain.TASK]: verifyChain.run({ sql: o.sql, log: o.log, timeoutMs: 3_600_000 }),
    [reportsRefresh.TASK]: reportsRefresh.run({ sql: o.sql, log: o.log, timeoutMs: 3_600_000 }),
    [digestExport.TASK]: digestExport.run({ sql: o.sql, log: o.log, settings: o.digests?.settings ?? NO_DIGESTS, home: o.digests?.home ?? '.', archive: o.archive?.settings ?? NO_ARCHIVE }),
    [archiveTask.TASK]: archiveTask.run({ sql: o.sql, log: o.log, settings: o.archive?.settings ?? NO_ARCHIVE, home: o.archive?.home ?? '.', logFile: o.archive?.logFile ?? null }),
    [reportFiles.DAILY_TASK]: reportFiles.run('daily', files),
    [reportFiles.MONTHLY_TASK]: reportFiles.run('monthly', files),
    [reconHourly.TASK]: reconHourly.run(o.recon),
    [reconClose.TASK]: reconClose.run(o.recon),
    [reconWeekly.TASK]: reconWeekly.run(o.recon),
    [reconMonthly.TASK]: reconMonthly.run(o.recon),
    [reconAfterFill.TASK]: reconAfterFill.run(o.recon),
  };
}

// The worker's pool: every connection acts as blotter_owner (worker-role.ts says why).
export function workerPool(url: string, log: pino.Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, max: 2, application_name: 'blotter-jobs', connectionTimeoutMillis: 10_000, options: workerConnectionOptions,
  });
  // Errors on idle clients must be handled or they crash the process (pg's rule).
  pool.on('error', (err) => log.warn({ err: err.message }, 'jobs: database pool error'));
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: err.message }, 'jobs: database client error')));
  return pool;
}

export async function startJobs(o: JobsOptions): Promise<{ stop: () => Promise<void> }> {
  await adoptWorkerSchema(o.url);
  const pool = workerPool(o.url, o.log);
  const workerLog = new WorkerLogger(() => (level, message, meta) => {
    o.log[level === 'warning' ? 'warn' : level]({ ...meta, component: 'graphile-worker' }, message);
  });
  const recon = o.recon ?? sqlDeps(o.sql, o.log.child({ module: 'recon' }), { reconTimeoutMs: o.reconTimeoutMs });
  let runner;
  try {
    runner = await runWorker({
      pgPool: pool,
      concurrency: o.concurrency,
      noHandleSignals: true,
      logger: workerLog,
      pollInterval: 2000,
      taskList: taskList({ sql: o.sql, log: o.log, partitionsAhead: o.partitionsAhead, recon, ...(o.flex ? { flex: o.flex } : {}), ...(o.reports ? { reports: { ...o.reports, url: o.url } } : {}), ...(o.digests ? { digests: o.digests } : {}), ...(o.archive ? { archive: o.archive } : {}) }),
      crontab: CRONTAB,
      ...(o.events ? { events: o.events } : {}),
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
