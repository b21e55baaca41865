// graphile-worker inside the agent: its own node-postgres pool, the task list and the
// crontab. Started once the database is ready; stopped within a deadline.
// A task is a file in this directory exporting TASK and run(deps); its schedule is a line
// in crontab.ts.
import pg from 'pg';
import { Logger as WorkerLogger, run as runWorker } from 'graphile-worker';
import { withDeadline } from "../db/deadline.js";
import { fetchAndImport } from "../flex/fetch.js";
import { CRONTAB } from "./crontab.js";
import * as ensurePartitions from "./ensure_partitions.js";
import * as verifyChain from "./verify_chain.js";
import * as reportsRefresh from "./reports_refresh.js";
import * as reportFiles from "./report_files.js";
import * as digestExport from "./digest_export.js";
import * as flexFetch from "./flex_fetch.js";
import { sqlDeps } from "./recon.js";
import * as reconAfterFill from "./recon_after_fill.js";
import * as reconClose from "./recon_close.js";
import * as reconHourly from "./recon_hourly.js";
import * as reconMonthly from "./recon_monthly.js";
import * as reconWeekly from "./recon_weekly.js";
import * as archiveTask from "./archive_task.js";
import { adoptWorkerSchema, workerConnectionOptions } from "./worker-role.js";
const NO_FLEX = {
    token: '', queries: [], url: '', user_agent: '', dir: '', date_format: 'auto', fetch_enabled: false, fetch_sessions: 1, poll_ms: 6000, max_wait_ms: 60_000,
    throttle_backoff_ms: 600_000, request_timeout_ms: 60_000, import_timeout_ms: 60_000,
};
const NO_REPORTS = { dir: '', formats: [], daily_enabled: false, monthly_enabled: false, accounts: [], chromium: '' };
const NO_DIGESTS = { enabled: false, dir: '', key_file: '', every_minutes: 15 };
const NO_ARCHIVE = {
    enabled: false, auto_purge: false, location: '', s3_endpoint: '', s3_region: 'us-east-1', s3_access_key_id: '', s3_secret_access_key: '',
    s3_force_path_style: false, recipients: [], sign_key: '',
};
export function taskList(o) {
    const files = { log: o.log.child({ module: 'reports' }), sql: o.sql, url: o.reports?.url ?? '', settings: o.reports?.settings ?? NO_REPORTS, home: o.reports?.home ?? '.', sessions: o.recon.sessions };
    const flexLog = o.log.child({ module: 'flex' });
    const flex = o.flex ?? { settings: NO_FLEX, home: '.' };
    return {
        [flexFetch.TASK]: flexFetch.run({
            log: flexLog, settings: flex.settings, recon: o.recon,
            fetchAndImport: flex.fetchAndImport ?? (async (queryId, from, to) => fetchAndImport(o.sql, { settings: flex.settings, home: flex.home, queryId, fromDate: from, toDate: to, log: flexLog })),
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
export function workerPool(url, log) {
    const pool = new pg.Pool({
        connectionString: url, max: 2, application_name: 'blotter-jobs', connectionTimeoutMillis: 10_000, options: workerConnectionOptions,
    });
    // Errors on idle clients must be handled or they crash the process (pg's rule).
    pool.on('error', (err) => log.warn({ err: err.message }, 'jobs: database pool error'));
    pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: err.message }, 'jobs: database client error')));
    return pool;
}
export async function startJobs(o) {
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
    }
    catch (err) {
        await pool.end().catch(() => { });
        throw err;
    }
    const r = runner;
    return {
        stop: async () => {
            await withDeadline(r.stop(), 5000, 'jobs stop').catch((err) => o.log.warn({ err: err.message }, 'jobs: stop timed out'));
            await withDeadline(pool.end(), 2000, 'jobs pool end').catch(() => { });
        },
    };
}
