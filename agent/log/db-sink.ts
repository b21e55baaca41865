// The database sink of the logger: lines queue in memory and go to ops.logs in batches
// (batch_size, or every flush_ms). When the database cannot keep up, or is down, lines
// past queue_max spill to the file sink instead and are counted — never dropped silently.
import { Writable } from 'node:stream';
import type postgres from 'postgres';

type Row = { logged_at: string; level: string; category: string; source: string; msg: string; fields: unknown; session_id: string | null };

export type DbLogSinkOptions = { batchSize: number; flushMs: number; queueMax: number };

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const KNOWN = new Set(['time', 'level', 'category', 'msg', 'pid', 'hostname', 'session_id', 'source']);

export class DbLogSink extends Writable {
  readonly stats = { written: 0, spilled: 0, failures: 0 };
  private queue: Row[] = [];
  private sql: postgres.Sql | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private spill: { write: (s: string) => unknown } | null = null;
  private readonly o: DbLogSinkOptions;

  constructor(opts: DbLogSinkOptions) {
    super({ decodeStrings: false });
    this.o = opts;
  }

  // Connected once the database is up; until then lines queue (and spill past the limit).
  attach(sql: postgres.Sql): void {
    this.sql = sql;
    this.timer = setInterval(() => void this.flush(), this.o.flushMs);
    this.timer.unref();
  }

  spillTo(stream: { write: (s: string) => unknown }): void {
    this.spill = stream;
  }

  override _write(chunk: string | Buffer, _enc: string, cb: (err?: Error | null) => void): void {
    this.push1(chunk.toString(), 'agent');
    cb();
  }

  // Also the way in for bot log lines (POST /v1/logs), already shaped as rows.
  enqueue(row: Row, line?: string): void {
    if (this.queue.length >= this.o.queueMax) {
      this.stats.spilled++;
      this.spill?.write((line ?? JSON.stringify({ ...row, spilled_from: 'database' })) + '\n');
      return;
    }
    this.queue.push(row);
    if (this.queue.length >= this.o.batchSize) void this.flush();
  }

  private push1(line: string, source: string): void {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line);
    } catch {
      return;
    }
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!KNOWN.has(k)) fields[k] = v;
    this.enqueue({
      logged_at: typeof obj.time === 'string' ? obj.time : new Date(Number(obj.time ?? Date.now())).toISOString(),
      level: typeof obj.level === 'string' ? obj.level : LEVEL_NAMES[Number(obj.level)] ?? 'info',
      category: typeof obj.category === 'string' ? obj.category : 'system',
      source,
      msg: typeof obj.msg === 'string' ? obj.msg : '',
      fields: Object.keys(fields).length ? fields : null,
      session_id: typeof obj.session_id === 'string' ? obj.session_id : null,
    }, line.trimEnd());
  }

  flush(): Promise<void> {
    if (this.flushing || !this.sql || this.queue.length === 0) return this.flushing ?? Promise.resolve();
    const sql = this.sql;
    const batch = this.queue.splice(0, this.o.batchSize);
    this.flushing = (async () => {
      try {
        await sql`insert into ops.logs ${sql(batch.map((r) => ({ ...r, fields: r.fields === null ? null : sql.json(r.fields as postgres.JSONValue) })), 'logged_at', 'level', 'category', 'source', 'msg', 'fields', 'session_id')}`;
        this.stats.written += batch.length;
      } catch {
        this.stats.failures++;
        // Back to the front of the queue; what no longer fits spills.
        const room = Math.max(0, this.o.queueMax - this.queue.length);
        this.queue.unshift(...batch.slice(0, room));
        for (const r of batch.slice(room)) {
          this.stats.spilled++;
          this.spill?.write(JSON.stringify({ ...r, spilled_from: 'database' }) + '\n');
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let i = 0; i < 20 && this.queue.length && this.sql; i++) {
      const before = this.queue.length;
      await this.flush();
      if (this.queue.length >= before) break;
    }
    // Whatever the database would not take goes to the file.
    for (const r of this.queue.splice(0)) {
      this.stats.spilled++;
      this.spill?.write(JSON.stringify({ ...r, spilled_from: 'database' }) + '\n');
    }
  }
}
