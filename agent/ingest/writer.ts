// The writer drains the spool into the ledger in COPY batches (a batch is full at
// batch_size events or after batch_wait_ms), and advances the spool's checkpoint only
// after the database committed. While the database is unreachable it retries with capped
// exponential backoff and the spool grows; a record the database refuses as data (never
// expected: the API validated it) is set aside in rejected.ndjson, not retried forever.
import fs from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { appendBatch } from '../ledger/copy.ts';
import type { LedgerEvent } from '../ledger/event.ts';
import type { Spool, SpoolRecord } from './spool.ts';

export type WriterOptions = {
  spool: Spool;
  sql: postgres.Sql;
  batchSize: number;
  batchWaitMs: number;
  retryMaxMs: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
};

export type WriterStats = {
  batches: number;
  events: number;
  duplicates: number;
  errors: number;
  rejected: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  dbUp: boolean;
};

// Spool record: the event as a compact array, in LedgerEvent field order.
export function toRecord(e: LedgerEvent): string {
  return JSON.stringify([e.stream, e.occurredAt, e.source, e.eventType, e.entityType, e.entityId, e.account, e.actor, e.sessionId, e.idempotencyKey, e.payload]);
}

export function fromRecord(line: string): LedgerEvent {
  const a = JSON.parse(line) as (string | null)[];
  if (!Array.isArray(a) || a.length !== 11) throw new Error('not a spool record');
  return {
    stream: a[0]!, occurredAt: a[1]!, source: a[2] as LedgerEvent['source'], eventType: a[3]!, entityType: a[4] ?? null,
    entityId: a[5] ?? null, account: a[6] ?? null, actor: a[7] ?? null, sessionId: a[8] ?? null, idempotencyKey: a[9] ?? null, payload: a[10]!,
  };
}

// SQLSTATE classes that say the data is wrong, not the connection: retrying cannot help.
const DATA_ERROR = /^(22|23|42)/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Writer {
  readonly stats: WriterStats = { batches: 0, events: 0, duplicates: 0, errors: 0, rejected: 0, lastSuccessAt: null, lastError: null, dbUp: true };
  private readonly o: WriterOptions;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopBy = 0;

  constructor(opts: WriterOptions) {
    this.o = opts;
  }

  start(): void {
    this.running = true;
    const onData = () => this.wake?.();
    this.o.spool.on('data', onData);
    this.loop = this.run().finally(() => this.o.spool.off('data', onData));
  }

  // Drain what the spool holds (up to timeoutMs), then stop.
  async stop(timeoutMs: number): Promise<void> {
    this.stopBy = Date.now() + timeoutMs;
    this.running = false;
    this.wake?.();
    await this.loop;
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
      if (!this.running && (!this.o.spool.hasPending() || Date.now() > this.stopBy)) return;
      if (!this.o.spool.hasPending()) {
        await this.waitForData(1000);
        continue;
      }
      let records = this.o.spool.read(this.o.batchSize);
      if (records.length < this.o.batchSize && this.o.batchWaitMs > 0 && this.running) {
        await this.waitForData(this.o.batchWaitMs);
        records = this.o.spool.read(this.o.batchSize);
      }
      if (records.length === 0) continue;
      try {
        await this.write(records);
        backoff = 100;
      } catch (err) {
        const e = err as Error & { code?: string };
        this.stats.errors++;
        this.stats.lastError = e.message;
        if ((e.code && DATA_ERROR.test(e.code)) || err instanceof SyntaxError || e.message === 'not a spool record') {
          await this.isolate(records);
          continue;
        }
        this.stats.dbUp = false;
        this.o.log?.('warn', 'writer: database write failed; retrying', { err: e.message, code: e.code, retry_ms: backoff, spooled_bytes: this.o.spool.pendingBytes() });
        if (!this.running && Date.now() > this.stopBy) return;
        await sleep(backoff + Math.floor(Math.random() * backoff * 0.2));
        backoff = Math.min(backoff * 2, this.o.retryMaxMs);
      }
    }
  }

  private async write(records: SpoolRecord[]): Promise<void> {
    const events = records.map((r) => fromRecord(r.line));
    const r = await appendBatch(this.o.sql, events);
    this.o.spool.commit(records[records.length - 1]!.end);
    this.stats.batches++;
    this.stats.events += r.appended;
    this.stats.duplicates += r.duplicates;
    this.stats.lastSuccessAt = Date.now();
    this.stats.dbUp = true;
  }

  // One record at a time, to find the ones the database refuses; set those aside.
  private async isolate(records: SpoolRecord[]): Promise<void> {
    for (const rec of records) {
      try {
        await this.write([rec]);
      } catch (err) {
        const e = err as Error & { code?: string };
        if (!(e.code && DATA_ERROR.test(e.code)) && !(err instanceof SyntaxError) && e.message !== 'not a spool record') throw err;
        fs.appendFileSync(path.join(this.o.spool.opts.dir, 'rejected.ndjson'), JSON.stringify({ at: new Date().toISOString(), error: e.message, record: rec.line }) + '\n');
        this.o.spool.commit(rec.end);
        this.stats.rejected++;
        this.o.log?.('error', 'writer: the database refused a spooled event; set aside in rejected.ndjson', { err: e.message, code: e.code });
      }
    }
  }
}
