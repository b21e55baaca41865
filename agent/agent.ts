// `blotter start`: one process holding the ingest API, the spool and its writer, the
// logger's sinks and graphile-worker with its crontab. SIGTERM or SIGINT drains it: the
// API stops taking requests, the spool is flushed, the writer empties it into the
// database (within the drain timeout), then everything closes.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { Logger as WorkerLogger, run as runWorker, type Runner } from 'graphile-worker';
import type { Config } from './config.ts';
import { databaseUrl, redactUrl } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { BlotterError } from './errors.ts';
import { createIngestServer } from './ingest/http.ts';
import { Spool } from './ingest/spool.ts';
import { toRecord, Writer } from './ingest/writer.ts';
import { IbRelay } from './ib/relay.ts';
import type { LedgerEvent } from './ledger/event.ts';
import { DbLogSink } from './log/db-sink.ts';
import { createLoggers } from './log/logger.ts';
import { Registry } from './metrics.ts';

export type AgentHandle = { port: number; url: string; stop: () => Promise<void>; sessionId: string };

const DRAIN_TIMEOUT_MS = 15_000;

// Without a configured token the agent makes one, once, readable only by its owner: the
// API is never open, and a first start needs no setup.
function ensureToken(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return token;
}

export async function startAgent(config: Config, opts: { home: string; env?: NodeJS.ProcessEnv; handleSignals?: boolean }): Promise<AgentHandle> {
  const tokenFile = path.join(opts.home, 'ingest-token');
  if (!config.ingest.token) config.ingest.token = ensureToken(tokenFile);
  const sessionId = randomUUID();
  const env = { ...(opts.env ?? process.env), ...(config.database.url ? { DATABASE_URL: config.database.url } : {}) };
  const dbSink = new DbLogSink({ batchSize: config.logging.handlers.database.batch_size, flushMs: config.logging.handlers.database.flush_ms, queueMax: config.logging.handlers.database.queue_max });
  const logs = await createLoggers({ config: config.logging, home: opts.home, dbSink });
  const sys = logs.category('system');

  const url = await databaseUrl({ create: true, env });
  sys.info({ database: redactUrl(url), session_id: sessionId }, 'agent starting');
  const m = await migrate({ url, partitionsAhead: config.jobs.partitions_ahead });
  if (m.applied.length) sys.info({ applied: m.applied }, 'migrations applied');

  // Every agent connection acts as blotter_agent: append-only, least privilege.
  const sql = postgres(url, {
    max: config.database.pool_max, connect_timeout: 5, idle_timeout: 60, onnotice: () => {},
    connection: { application_name: 'blotter-agent', role: 'blotter_agent' } as Record<string, string>,
  });
  dbSink.attach(sql);

  const spool = new Spool({
    dir: config.spool.dir || path.join(opts.home, 'spool'), quotaBytes: config.spool.quota,
    segmentBytes: config.spool.segment_size, groupCommitMs: config.spool.group_commit_ms,
  });
  spool.open();
  if (spool.hasPending()) sys.info({ bytes: spool.pendingBytes() }, 'spool holds events from before: replaying them');

  const metrics = new Registry();
  const writerLog = logs.category('system');
  const writer = new Writer({
    spool, sql, batchSize: config.writer.batch_size, batchWaitMs: config.writer.batch_wait_ms, retryMaxMs: config.writer.retry_max_ms,
    log: (level, msg, fields) => writerLog[level](fields ?? {}, msg),
  });
  writer.start();

  const g = {
    spoolBytes: metrics.gauge('blotter_spool_bytes', 'Bytes in the spool not yet in the database'),
    spoolQuota: metrics.gauge('blotter_spool_quota_bytes', 'Spool quota'),
    lag: metrics.gauge('blotter_writer_lag_seconds', 'Age of the oldest event not yet in the database'),
    batches: metrics.gauge('blotter_writer_batches_total', 'COPY batches committed'),
    events: metrics.gauge('blotter_writer_events_total', 'Events appended to the ledger'),
    dups: metrics.gauge('blotter_writer_duplicates_total', 'Events the ledger dropped as duplicates'),
    errors: metrics.gauge('blotter_writer_errors_total', 'Failed writes (retried)'),
    rejected: metrics.gauge('blotter_writer_rejected_total', 'Spooled events the database refused (set aside)'),
    dbUp: metrics.gauge('blotter_database_up', '1 when the last database write succeeded'),
    logWritten: metrics.gauge('blotter_log_db_written_total', 'Log lines written to ops.logs'),
    logSpilled: metrics.gauge('blotter_log_db_spilled_total', 'Log lines the database sink could not keep up with, spilled to the file sink'),
    logQueued: metrics.gauge('blotter_log_db_queued', 'Log lines waiting for the database'),
  };
  metrics.onCollect(() => {
    g.spoolBytes.set({}, spool.pendingBytes());
    g.spoolQuota.set({}, spool.opts.quotaBytes);
    g.lag.set({}, spool.lagMs() / 1000);
    g.batches.set({}, writer.stats.batches);
    g.events.set({}, writer.stats.events);
    g.dups.set({}, writer.stats.duplicates);
    g.errors.set({}, writer.stats.errors);
    g.rejected.set({}, writer.stats.rejected);
    g.dbUp.set({}, writer.stats.dbUp ? 1 : 0);
    g.logWritten.set({}, dbSink.stats.written);
    g.logSpilled.set({}, dbSink.stats.spilled);
    g.logQueued.set({}, dbSink.queued());
  });

  const server = createIngestServer({ config: config.ingest, spool, writer, sql, metrics, log: sys, logSink: dbSink, sessionId, keyFilterCapacity: config.ingest.known_keys });
  // Listen before starting jobs and the relay: a port already taken must stop start-up
  // cleanly, not leave a half-started agent behind.
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new BlotterError('INGEST_LISTEN', `cannot listen on ${config.ingest.host}:${config.ingest.port}: ${err.code ?? err.message}`)));
      server.listen(config.ingest.port, config.ingest.host, () => resolve());
    });
  } catch (err) {
    await spool.close();
    await writer.stop(DRAIN_TIMEOUT_MS);
    await logs.close();
    await sql.end({ timeout: 5 });
    throw err;
  }

  let runner: Runner | null = null;
  let pool: pg.Pool | null = null;
  if (config.jobs.enabled) {
    pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'blotter-jobs' });
    // Errors on idle clients must be handled or they crash the process (pg's rule).
    pool.on('error', (err) => sys.warn({ err: err.message }, 'jobs: database pool error'));
    pool.on('connect', (client) => client.on('error', (err) => sys.warn({ err: err.message }, 'jobs: database client error')));
    const workerLog = new WorkerLogger(() => (level, message, meta) => {
      sys[level === 'warning' ? 'warn' : level]({ ...meta, component: 'graphile-worker' }, message);
    });
    const ahead = config.jobs.partitions_ahead;
    runner = await runWorker({
      pgPool: pool,
      concurrency: config.jobs.concurrency,
      noHandleSignals: true,
      logger: workerLog,
      pollInterval: 2000,
      taskList: {
        ensure_partitions: async () => {
          const rows = await sql`select ledger.ensure_partitions(${ahead}) as name union all select ops.ensure_partitions(${ahead})`;
          sys.info({ created: rows.map((r) => r.name) }, 'partitions ensured');
        },
      },
      // Daily at 03:05 UTC; a missed run within a day is caught up on start.
      crontab: '5 3 * * * ensure_partitions ?fill=1d&max=3',
    });
  }

  // The IB relay writes through the same spool as the API. Events without a natural key
  // get one here, so a replay of the spool stays exact.
  let relay: IbRelay | null = null;
  if (config.ib.enabled) {
    let auto = 0;
    const ibLog = logs.category('connection');
    relay = new IbRelay({
      host: config.ib.host, port: config.ib.port, clientId: config.ib.client_id, twsTimezone: config.ib.tws_timezone,
      heartbeatMs: config.ib.heartbeat_ms, heartbeatTimeoutMs: config.ib.heartbeat_timeout_ms,
      backfillTimeoutMs: config.ib.backfill_timeout_ms, backfillRetries: config.ib.backfill_retries,
      reconnectMinMs: config.ib.reconnect_min_ms, reconnectMaxMs: config.ib.reconnect_max_ms,
      sink: (events: LedgerEvent[]) => spool.append(events.map((e) => toRecord(e.idempotencyKey ? e : { ...e, idempotencyKey: `spool:${sessionId}:ib:${++auto}` }))),
      log: (level, msg, fields) => ibLog[level](fields ?? {}, msg),
    });
    relay.start();
  }

  const port = (server.address() as AddressInfo).port;
  sys.info({ host: config.ingest.host, port, spool: spool.opts.dir, token_file: opts.env?.BLOTTER_INGEST_TOKEN || process.env.BLOTTER_INGEST_TOKEN ? undefined : tokenFile }, 'ingest API listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    if (stopping) return stopping;
    stopping = (async () => {
      sys.info('agent stopping: draining');
      server.stopAccepting();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 5000).unref();
      });
      if (relay) await relay.stop();
      await spool.close();
      await writer.stop(DRAIN_TIMEOUT_MS);
      if (spool.hasPending()) sys.warn({ bytes: spool.pendingBytes() }, 'events left in the spool; they are written on the next start');
      if (runner) await runner.stop();
      sys.info({ events: writer.stats.events }, 'agent stopped');
      await logs.close();
      await sql.end({ timeout: 5 });
      if (pool) await pool.end();
    })();
    return stopping;
  };
  if (opts.handleSignals) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        void stop().then(() => process.exit(0), () => process.exit(1));
      });
    }
  }
  return { port, url: `http://${config.ingest.host}:${port}`, stop, sessionId };
}
