// `blotter start`: one process holding the ingest API, the spool and its writer, the
// logger's sinks, the IB relay and graphile-worker with its crontab. SIGTERM or SIGINT
// drains it: the API stops taking requests, the spool is flushed, the writer empties it
// into the database (within the drain timeout), then everything closes.
//
// The database may be away when the agent starts (a sidecar often starts next to a
// database that is still booting): the API, the spool and the relay start anyway, and a
// bring-up loop migrates and then starts the writer, the log sink and the jobs once the
// database answers. /v1/health says which.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import type { Config } from './config.ts';
import { databaseUrl, redactUrl } from './db/connect.ts';
import { withDeadline } from './db/deadline.ts';
import { migrate } from './db/migrate.ts';
import { applied as pgHotfixApplied } from './db/pg-hotfix.ts';
import { applyRetention } from './retention.ts';
import { applyPrivacy } from './privacy.ts';
import { BlotterError } from './errors.ts';
import { isLoopback } from './ingest/connections.ts';
import { createIngestServer, type DatabaseState } from './ingest/http.ts';
import { Spool } from './ingest/spool.ts';
import { toRecord, Writer } from './ingest/writer.ts';
import type { IbRelay } from './ib/relay.ts';
import { startJobs } from './jobs/runner.ts';
import type { LedgerEvent } from './ledger/event.ts';
import { DbLogSink } from './log/db-sink.ts';
import { createLoggers } from './log/logger.ts';
import { counterOf, createRegistry, gaugeOf, Histogram } from './metrics.ts';
import type { ConsoleRoom } from './console/server.ts';
import type { Health } from './console/pages.ts';

export type AgentHandle = { port: number; url: string; stop: () => Promise<void>; sessionId: string };

// Errors that mean "the database is not there (yet)", as opposed to a configuration or
// schema problem: connection refused or reset, DNS, timeouts, the server starting up or
// shutting down, a database not created yet.
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED']);
export function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return NET_CODES.has(code) || code.startsWith('08') || code === '57P03' || code === '57P01' || code === '3D000';
}

// Without a configured token the agent makes one, once, readable only by its owner: the
// API is never open, and a first start needs no setup.
function ensureToken(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return token;
}

// Every agent connection acts as blotter_agent (append-only, least privilege), and the
// server itself ends a statement or an open transaction that outlives the deadline.
// fetch_types is off: postgres.js fetches array types on each new connection without
// handling a failure, so a database that goes away at that moment left an unhandled
// rejection, which ends a Node process. The agent reads no arrays (it sends and reads
// jsonb instead).
function agentConnection(url: string, max: number, timeoutMs: number, name: string): postgres.Sql {
  return postgres(url, {
    max, connect_timeout: 5, idle_timeout: 60, onnotice: () => {}, fetch_types: false,
    connection: {
      application_name: name, role: 'blotter_agent',
      statement_timeout: String(timeoutMs), idle_in_transaction_session_timeout: String(timeoutMs),
    } as Record<string, string>,
  });
}

export async function startAgent(config: Config, opts: { home: string; env?: NodeJS.ProcessEnv; handleSignals?: boolean }): Promise<AgentHandle> {
  const tokenFile = path.join(opts.home, 'ingest-token');
  if (!config.ingest.token) config.ingest.token = ensureToken(tokenFile);
  const sessionId = randomUUID();
  const env = { ...(opts.env ?? process.env), ...(config.database.url ? { DATABASE_URL: config.database.url } : {}) };
  const dbSink = new DbLogSink({ batchSize: config.logging.handlers.database.batch_size, flushMs: config.logging.handlers.database.flush_ms, queueMax: config.logging.handlers.database.queue_max, queueMaxBytes: config.logging.handlers.database.queue_max_bytes });
  const logs = await createLoggers({ config: config.logging, home: opts.home, dbSink });
  const sys = logs.category('system');
  const w = config.writer;

  const url = await databaseUrl({ create: true, env });
  sys.info({ database: redactUrl(url), session_id: sessionId }, 'agent starting');
  // Loaded too late (e.g. `node agent/cli.ts start` without --import), the postgres.js fix
  // is not in force, and a connection lost mid-transaction can end this process.
  if (!pgHotfixApplied) sys.warn('the postgres.js hotfix is not loaded (start through bin/blotter.js, or node --import ./agent/db/pg-hotfix.ts): a database connection lost during a transaction can crash the agent');

  const sql = agentConnection(url, config.database.pool_max, w.write_timeout_ms, 'blotter-agent');
  const spool = new Spool({
    dir: config.spool.dir || path.join(opts.home, 'spool'), quotaBytes: config.spool.quota,
    segmentBytes: config.spool.segment_size, groupCommitMs: config.spool.group_commit_ms,
  });
  spool.open();
  spool.on('checkpoint-error', (err: Error) => {
    try {
      sys.warn({ err: err.message }, 'spool: the read mark could not be written; retrying (a restart would replay a little more)');
    } catch {
      // The log sinks are closed (shutting down): the next start replays from the last mark.
    }
  });
  if (spool.hasPending()) sys.info({ bytes: spool.pendingBytes() }, 'spool holds events from before: replaying them');

  const metrics = createRegistry();
  const batchSeconds = new Histogram({
    name: 'blotter_writer_batch_seconds', help: 'Duration of each committed COPY batch', registers: [metrics],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const batchEvents = new Histogram({
    name: 'blotter_writer_batch_events', help: 'Events in each committed COPY batch', registers: [metrics],
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 100_000],
  });
  const writer = new Writer({
    spool, connect: () => agentConnection(url, 1, w.write_timeout_ms, 'blotter-writer'),
    batchSize: w.batch_size, batchBytes: w.batch_bytes, batchWaitMs: w.batch_wait_ms, retryMaxMs: w.retry_max_ms, writeTimeoutMs: w.write_timeout_ms, stallMs: w.stall_ms,
    log: (level, msg, fields) => sys[level](fields ?? {}, msg),
    onBatch: (events, ms) => {
      batchEvents.observe(events);
      batchSeconds.observe(ms / 1000);
    },
  });

  // The database's state as the bring-up loop last saw it.
  const db: DatabaseState = { ready: false, since: Date.now(), reason: 'not connected yet', jobsError: null };
  let jobs = null as { stop: () => Promise<void> } | null;
  let stopped = false;
  let onReady: (() => void) | null = null;

  // Migrate, then start what needs the database (once). Throws what the caller decides about.
  async function bringUp(): Promise<void> {
    const m = await migrate({ url, partitionsAhead: config.jobs.partitions_ahead });
    if (m.applied.length) sys.info({ applied: m.applied }, 'migrations applied');
    await applyRetention(url, config.retention, (msg, fields) => sys.info(fields ?? {}, msg));
    await applyPrivacy(url, config.privacy, (msg, fields) => sys.info(fields ?? {}, msg));
    if (stopped || db.ready) return;
    writer.start();
    dbSink.attach(sql);
    Object.assign(db, { ready: true, since: Date.now(), reason: null });
    onReady?.();
    if (!config.jobs.enabled) return;
    try {
      jobs = await startJobs({
        url, sql, concurrency: config.jobs.concurrency, partitionsAhead: config.jobs.partitions_ahead, reconTimeoutMs: config.jobs.recon_timeout_ms, log: sys,
        flex: { settings: config.flex, home: opts.home }, reports: { settings: config.reports, home: opts.home },
        digests: { settings: config.digests, home: opts.home },
        archive: { settings: config.archive, home: opts.home, logFile: config.logging.handlers.file.enabled ? path.resolve(opts.home, config.logging.handlers.file.path) : null },
      });
    } catch (err) {
      // Events still flow; the scheduled work is what is missing, and health says so.
      db.jobsError = (err as Error).message;
      sys.error({ err: (err as Error).message }, 'jobs: graphile-worker did not start');
    }
  }

  // The first attempt decides start-up: a database that is not there yet is waited for in
  // the background; anything else (a changed migration, a wrong password) stops start-up.
  let firstError: unknown = null;
  try {
    await bringUp();
  } catch (err) {
    if (!isUnreachable(err)) {
      await Promise.allSettled([spool.close(), logs.close(), sql.end({ timeout: 1 })]);
      throw err;
    }
    firstError = err;
    db.reason = `database unreachable: ${(err as Error).message}`;
    sys.warn({ err: (err as Error).message, code: (err as { code?: string }).code, database: redactUrl(url) }, 'database not reachable; accepting into the spool and retrying');
  }
  let bringUpLoop: Promise<void> = Promise.resolve();
  let wakeBringUp = null as (() => void) | null;
  if (firstError) {
    bringUpLoop = (async () => {
      let backoff = 500;
      while (!stopped && !db.ready) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          wakeBringUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (stopped) return;
        try {
          await bringUp();
          sys.info({ waited_ms: Date.now() - db.since }, 'database reachable: writing the spool');
        } catch (err) {
          db.reason = `${isUnreachable(err) ? 'database unreachable' : 'database not usable'}: ${(err as Error).message}`;
          sys[isUnreachable(err) ? 'warn' : 'error']({ err: (err as Error).message, code: (err as { code?: string }).code, retry_ms: backoff }, 'database bring-up failed; retrying');
          backoff = Math.min(backoff * 2, w.retry_max_ms);
        }
      }
    })();
  }

  // Read at scrape time from the spool, the writer and the log sink.
  const s = writer.stats;
  gaugeOf(metrics, 'blotter_spool_bytes', 'Bytes in the spool not yet in the database', () => spool.pendingBytes());
  gaugeOf(metrics, 'blotter_spool_quota_bytes', 'Spool quota', () => spool.opts.quotaBytes);
  gaugeOf(metrics, 'blotter_writer_lag_seconds', 'Age of the oldest event not yet in the database', () => spool.lagMs() / 1000);
  counterOf(metrics, 'blotter_writer_batches_total', 'COPY batches committed', () => s.batches);
  counterOf(metrics, 'blotter_writer_events_total', 'Events appended to the ledger', () => s.events);
  counterOf(metrics, 'blotter_writer_duplicates_total', 'Events the ledger dropped as duplicates', () => s.duplicates);
  counterOf(metrics, 'blotter_writer_errors_total', 'Failed writes (retried)', () => s.errors);
  counterOf(metrics, 'blotter_writer_timeouts_total', 'Writes abandoned at write_timeout_ms', () => s.timeouts);
  counterOf(metrics, 'blotter_writer_rejected_total', 'Spooled events the database refused (set aside)', () => s.rejected);
  gaugeOf(metrics, 'blotter_writer_stalled', '1 while events wait and no batch has committed for stall_ms', () => (s.stalled ? 1 : 0));
  counterOf(metrics, 'blotter_writer_stalls_total', 'Times the writer stalled', () => s.stalls);
  gaugeOf(metrics, 'blotter_database_up', '1 when the database is migrated and the last write succeeded', () => (db.ready && s.dbUp ? 1 : 0));
  counterOf(metrics, 'blotter_log_db_written_total', 'Log lines written to ops.logs', () => dbSink.stats.written);
  counterOf(metrics, 'blotter_log_db_spilled_total', 'Log lines the database sink could not keep up with, spilled to the file sink', () => dbSink.stats.spilled);
  gaugeOf(metrics, 'blotter_log_db_queued', 'Log lines waiting for the database', () => dbSink.queued());

  // Started below, after the API listens; health reads its fill from the start.
  let relay: IbRelay | null = null;
  // The review console, on the same listener; its health card reads what /v1/health says.
  // Loaded only when enabled, like the IB client.
  const consoleRoom: ConsoleRoom | null = config.console.enabled
    ? (await import('./console/server.ts')).startConsole({ config: config.console, url, log: logs.category('user'), health: () => server.healthReport() as Health, chromium: config.reports.chromium })
    : null;
  const server = createIngestServer({
    config: config.ingest, spool, writer, sql, metrics, log: sys, logSink: dbSink, sessionId, keyFilterCapacity: config.ingest.known_keys, relayFill: () => relay?.heldFill() ?? null,
    database: () => db, stallMs: w.stall_ms, redact: config.logging.redact, console: consoleRoom,
  });
  // Listen before starting the relay: a port already taken must stop start-up cleanly,
  // not leave a half-started agent behind.
  const drainMs = w.drain_timeout_ms;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new BlotterError('INGEST_LISTEN', `cannot listen on ${config.ingest.host}:${config.ingest.port}: ${err.code ?? err.message}`)));
      server.listen(config.ingest.port, config.ingest.host, () => resolve());
    });
  } catch (err) {
    stopped = true;
    wakeBringUp?.();
    await consoleRoom?.stop();
    await spool.close();
    await writer.stop(drainMs);
    await jobs?.stop();
    await logs.close();
    await sql.end({ timeout: 1 });
    throw err;
  }
  // The known-key filter is read from the ledger, so it waits for the database.
  if (db.ready) server.databaseReady();
  else onReady = () => server.databaseReady();

  // The IB relay writes through the same spool as the API. Events without a natural key
  // get one here, so a replay of the spool stays exact.
  if (config.ib.enabled) {
    let auto = 0;
    const ibLog = logs.category('connection');
    // Loaded only when enabled: the IB client and its dependencies are ~8 MB of an idle agent.
    const { IbRelay } = await import('./ib/relay.ts');
    relay = new IbRelay({
      host: config.ib.host, port: config.ib.port, clientId: config.ib.client_id, twsTimezone: config.ib.tws_timezone,
      heartbeatMs: config.ib.heartbeat_ms, heartbeatTimeoutMs: config.ib.heartbeat_timeout_ms, connectTimeoutMs: config.ib.connect_timeout_ms,
      backfillTimeoutMs: config.ib.backfill_timeout_ms, backfillRetries: config.ib.backfill_retries,
      reconnectMinMs: config.ib.reconnect_min_ms, reconnectMaxMs: config.ib.reconnect_max_ms,
      sink: (events: LedgerEvent[]) => spool.append(events.map((e) => toRecord(e.idempotencyKey ? e : { ...e, idempotencyKey: `spool:${sessionId}:ib:${++auto}` }))),
      log: (level, msg, fields) => ibLog[level](fields ?? {}, msg),
    });
    relay.start();
  }

  const port = (server.address() as AddressInfo).port;
  sys.info({ host: config.ingest.host, port, spool: spool.opts.dir, token_file: opts.env?.BLOTTER_INGEST_TOKEN || process.env.BLOTTER_INGEST_TOKEN ? undefined : tokenFile }, 'ingest API listening');
  if (consoleRoom) sys.info({ url: `http://${config.ingest.host}:${port}/console` }, 'review console at /console (people: blotter users add NAME --role viewer|reviewer|admin)');
  if (!isLoopback(config.ingest.host)) {
    sys.warn({ host: config.ingest.host }, 'ingest API reachable beyond this machine: ingest.host is not a loopback address; ' +
      'the bearer token then crosses the network in clear (no TLS): bind 127.0.0.1 unless a proxy or firewall guards the port');
  }

  // Each step has its own deadline, so a database that hangs cannot hold the drain past
  // drain_timeout_ms plus a few seconds of closing.
  let stopping: Promise<void> | null = null;
  const stop = () => {
    if (stopping) return stopping;
    stopping = (async () => {
      sys.info('agent stopping: draining');
      stopped = true;
      wakeBringUp?.();
      server.stopAccepting();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 2000).unref();
      });
      if (consoleRoom) await withDeadline(consoleRoom.stop(), 3000, 'console stop').catch(() => {});
      if (relay) await withDeadline(relay.stop(), 5000, 'relay stop').catch(() => {});
      await spool.close();
      await withDeadline(bringUpLoop, 2000, 'database bring-up').catch(() => {});
      await writer.stop(drainMs);
      if (spool.hasPending()) sys.warn({ bytes: spool.pendingBytes() }, 'events left in the spool; they are written on the next start');
      if (jobs) await jobs.stop();
      sys.info({ events: writer.stats.events }, 'agent stopped');
      await withDeadline(logs.close(), 3000, 'log sinks close').catch(() => {});
      await withDeadline(sql.end({ timeout: 1 }), 3000, 'database pool end').catch(() => {});
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
