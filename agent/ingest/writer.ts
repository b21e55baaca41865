// The writer drains the spool into the ledger in COPY batches (a batch is full at
// batch_size events or after batch_wait_ms), and advances the spool's checkpoint only
// after the database committed. While the database is unreachable it retries with capped
// exponential backoff and the spool grows; a record the database refuses as data is set
// aside in rejected.ndjson, not retried forever.
//
// Nothing here waits without a deadline: every batch runs under write_timeout_ms (on the
// server through statement_timeout and idle_in_transaction_session_timeout, and on the
// client by ending the writer's own connection), and stop() returns within its timeout
// whatever the database does. When no batch commits for stall_ms while events wait, the
// writer says so once (an error log line; `stalled` in its stats, which health reports).
import fs from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { DeadlineError, withDeadline } from '../db/deadline.ts';
import { appendRecords, copyRecord } from '../ledger/copy.ts';
import type { LedgerEvent } from '../ledger/event.ts';
import type { Spool, SpoolRecord } from './spool.ts';
import type { StageFill } from './budget.ts';

export type WriterOptions = {
  spool: Spool;
  // The writer's own connection (max 1): past a deadline it is ended and made anew, which
  // must not disturb anyone else's queries.
  connect: () => postgres.Sql;
  batchSize: number;
  // Bytes of records per batch at most (the batch is in memory while it is written).
  batchBytes?: number;
  batchWaitMs: number;
  retryMaxMs: number;
  writeTimeoutMs: number;
  stallMs: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  // Called once per committed batch (for the batch histograms): its size and COPY time.
  onBatch?: (events: number, ms: number) => void;
};

export type WriterStats = {
  batches: number;
  events: number;
  duplicates: number;
  errors: number;
  rejected: number;
  timeouts: number;
  stalls: number;
  stalled: boolean;
  lastSuccessAt: number | null;
  lastError: string | null;
  dbUp: boolean;
};

// Spool record: the event as a line of COPY's text format (copyRecord), which the writer
// sends as it is. Spools written by earlier versions hold JSON arrays in LedgerEvent field order
// (a line starting with '['); those are still read.
export function toRecord(e: LedgerEvent): string {
  return copyRecord(e);
}

export function recordToCopy(line: string): string {
  return line.startsWith('[') ? copyRecord(fromRecord(line)) : line;
}

export function fromRecord(line: string): LedgerEvent {
  const a = JSON.parse(line) as (string | null)[];
  if (!Array.isArray(a) || a.length !== 11) throw new Error('not a spool record');
  return {
    stream: a[0]!, occurredAt: a[1]!, source: a[2] as LedgerEvent['source'], eventType: a[3]!, entityType: a[4] ?? null,
    entityId: a[5] ?? null, account: a[6] ?? null, actor: a[7] ?? null, sessionId: a[8] ?? null, idempotencyKey: a[9] ?? null, payload: a[10]!,
  };
}

// SQLSTATE classes that say the data is wrong, not the connection or the schema: retrying
// cannot help. (42xxx, e.g. a missing table or privilege, is not the record's fault.) 54xxx
// is a limit one record exceeds (an index row too large): retried, it stalls the writer.
const DATA_ERROR = /^(22|23|54)/;

function isDataError(err: unknown): boolean {
  const e = err as Error & { code?: string };
  return Boolean(e.code && DATA_ERROR.test(e.code)) || err instanceof SyntaxError || e.message === 'not a spool record';
}

export class Writer {
  readonly stats: WriterStats = {
    batches: 0, events: 0, duplicates: 0, errors: 0, rejected: 0, timeouts: 0, stalls: 0, stalled: false,
    lastSuccessAt: null, lastError: null, dbUp: true,
  };
  private readonly o: WriterOptions;
  private sql: postgres.Sql;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopBy = 0;
  private lastProgressAt = Date.now();
  private watch: NodeJS.Timeout | null = null;
  private batchHeld = 0;
  private batchPeak = 0;

  constructor(opts: WriterOptions) {
    this.o = opts;
    this.sql = opts.connect();
  }

  start(): void {
    this.running = true;
    this.lastProgressAt = Date.now();
    const onData = () => this.wake?.();
    this.o.spool.on('data', onData);
    this.loop = this.run().finally(() => this.o.spool.off('data', onData));
    this.watch = setInterval(() => this.checkStall(), Math.min(1000, this.o.stallMs));
    this.watch.unref();
  }

  // The batch in memory now (bytes of its records, UTF-16 length), for health.
  batchFill(): StageFill {
    return { bytes: this.batchHeld, limit_bytes: this.o.batchBytes ?? 32 * 1024 * 1024, peak_bytes: this.batchPeak, refused: 0 };
  }

  // How long events have waited without any batch committing (0 when nothing waits).
  stalledMs(now = Date.now()): number {
    if (!this.o.spool.hasPending()) return 0;
    return Math.max(0, Math.min(this.o.spool.lagMs(now), now - this.lastProgressAt));
  }

  private checkStall(): void {
    const ms = this.stalledMs();
    if (ms > this.o.stallMs && !this.stats.stalled) {
      this.stats.stalled = true;
      this.stats.stalls++;
      this.o.log?.('error', 'writer: no progress while events wait', {
        stalled_ms: ms, spooled_bytes: this.o.spool.pendingBytes(), last_error: this.stats.lastError, db_up: this.stats.dbUp,
      });
    } else if (ms <= this.o.stallMs && this.stats.stalled) {
      this.stats.stalled = false;
      this.o.log?.('info', 'writer: progressing again', { spooled_bytes: this.o.spool.pendingBytes() });
    }
  }

  // Drain what the spool holds, then stop. Returns within timeoutMs (plus a moment to end
  // the connection) even when the database hangs; what is left stays in the spool.
  async stop(timeoutMs: number): Promise<void> {
    this.stopBy = Date.now() + timeoutMs;
    this.running = false;
    if (this.watch) clearInterval(this.watch);
    this.wake?.();
    if (this.loop) {
      try {
        await withDeadline(this.loop, timeoutMs, 'writer drain', () => this.dropConnection());
      } catch (err) {
        if (!(err instanceof DeadlineError)) throw err;
        this.o.log?.('warn', 'writer: drain timed out; the rest stays in the spool', { timeout_ms: timeoutMs, spooled_bytes: this.o.spool.pendingBytes() });
        // The abandoned call fails on the ended connection and the loop sees it is past stopBy.
        await withDeadline(this.loop, 1000, 'writer loop exit').catch(() => {});
      }
    }
    await this.sql.end({ timeout: 1 }).catch(() => {});
  }

  private dropConnection(): void {
    const old = this.sql;
    this.sql = this.o.connect();
    void old.end({ timeout: 0 }).catch(() => {});
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let backoff = 100;
    for (;;) {
      this.batchHeld = 0;
      if (!this.running && (!this.o.spool.hasPending() || Date.now() > this.stopBy)) return;
      if (!this.o.spool.hasPending()) {
        await this.waitForData(1000);
        continue;
      }
      let records = this.o.spool.read(this.o.batchSize, undefined, this.o.batchBytes);
      if (records.length < this.o.batchSize && this.o.batchWaitMs > 0 && this.running) {
        await this.waitForData(this.o.batchWaitMs);
        records = this.o.spool.read(this.o.batchSize, undefined, this.o.batchBytes);
      }
      if (records.length === 0) continue;
      this.batchHeld = records.reduce((n, r) => n + r.line.length, 0);
      if (this.batchHeld > this.batchPeak) this.batchPeak = this.batchHeld;
      try {
        await this.write(records);
        this.batchHeld = 0;
        backoff = 100;
      } catch (err) {
        const e = err as Error & { code?: string };
        this.stats.errors++;
        this.stats.lastError = e.message;
        if (isDataError(err)) {
          try {
            await this.isolate(records);
            continue;
          } catch (inner) {
            this.stats.lastError = (inner as Error).message;
          }
        }
        this.stats.dbUp = false;
        this.o.log?.('warn', 'writer: database write failed; retrying', { err: this.stats.lastError, code: e.code, retry_ms: backoff, spooled_bytes: this.o.spool.pendingBytes() });
        if (!this.running && Date.now() > this.stopBy) return;
        // A stop() wakes this wait: draining must not sit out a long backoff.
        await this.waitForData(backoff + Math.floor(Math.random() * backoff * 0.2));
        backoff = Math.min(backoff * 2, this.o.retryMaxMs);
      }
    }
  }

  private async write(records: SpoolRecord[]): Promise<void> {
    const events = records.map((r) => recordToCopy(r.line));
    let r: { appended: number; duplicates: number };
    const started = performance.now();
    try {
      r = await withDeadline(appendRecords(this.sql, events), this.o.writeTimeoutMs, `COPY of ${events.length} events`, () => this.dropConnection());
    } catch (err) {
      if (err instanceof DeadlineError) this.stats.timeouts++;
      throw err;
    }
    await this.o.spool.commit(records[records.length - 1]!.end);
    this.stats.batches++;
    this.stats.events += r.appended;
    this.stats.duplicates += r.duplicates;
    this.stats.lastSuccessAt = this.lastProgressAt = Date.now();
    this.stats.dbUp = true;
    this.o.onBatch?.(events.length, performance.now() - started);
  }

  // Find the records the database refuses by halving: a batch of n with k bad records
  // costs about k·log2(n) small transactions, not n. The good halves land as they are
  // found (their keys make any replay harmless); each bad record is set aside.
  private async isolate(records: SpoolRecord[]): Promise<void> {
    if (records.length > 1) {
      const mid = records.length >> 1;
      for (const half of [records.slice(0, mid), records.slice(mid)]) {
        try {
          await this.write(half);
        } catch (err) {
          if (!isDataError(err)) throw err;
          await this.isolate(half);
        }
      }
      return;
    }
    const rec = records[0]!;
    try {
      await this.write([rec]);
    } catch (err) {
      if (!isDataError(err)) throw err;
      const e = err as Error & { code?: string };
      fs.appendFileSync(path.join(this.o.spool.opts.dir, 'rejected.ndjson'), JSON.stringify({ at: new Date().toISOString(), error: e.message, code: e.code ?? null, record: rec.line }) + '\n');
      await this.o.spool.commit(rec.end);
      this.stats.rejected++;
      this.lastProgressAt = Date.now();
      this.o.log?.('error', 'writer: the database refused a spooled event; set aside in rejected.ndjson', { err: e.message, code: e.code });
    }
  }
}
