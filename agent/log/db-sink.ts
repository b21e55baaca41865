// The database sink of the logger: lines queue in memory as the JSON text pino wrote and
// go to ops.logs in batches (batch_size, or every flush_ms), parsed by PostgreSQL, not on
// the agent's event loop: a log call only appends a string to an array. When the database
// cannot keep up, or is down, lines past queue_max spill to the file sink instead and are
// counted, never dropped silently.
import type postgres from 'postgres';
import { withDeadline } from '../db/deadline.ts';

export type Row = { logged_at: string; level: string; category: string; source: string; msg: string; fields: unknown; session_id: string | null };

export type DbLogSinkOptions = { batchSize: number; flushMs: number; queueMax: number; queueMaxBytes?: number };

// A queued line: pino's JSON text (agent logs) or a row (bot logs, already validated).
type Item = string | Row;

// Turns queued lines into ops.logs rows inside the database. Fields other than the
// columns (and pino's pid/hostname) go to `fields`.
const INSERT_FROM_JSON = `
  insert into ops.logs (logged_at, level, category, source, msg, fields, session_id)
  select coalesce((j->>'time')::timestamptz, clock_timestamp()),
         case when j->>'level' in ('trace', 'debug', 'info', 'warn', 'error', 'fatal') then j->>'level' else 'info' end,
         coalesce(j->>'category', 'system'), coalesce(j->>'source', 'agent'), coalesce(j->>'msg', ''),
         case when j ? '_blotter_fields' then j->'_blotter_fields'
              else nullif(j - array['time', 'level', 'category', 'msg', 'pid', 'hostname', 'session_id', 'source'], '{}'::jsonb) end,
         j->>'session_id'
    from jsonb_array_elements($1::text::jsonb) as j`;

// jsonb refuses an escaped NUL or a lone UTF-16 surrogate, and one such line would make
// every batch it is in fail forever. JSON.stringify (and pino) escape only those, never a
// valid surrogate pair, so replacing the escapes with U+FFFD changes nothing else.
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;
export function storableLine(line: string): string {
  return line.includes('\\u') ? line.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : line;
}

// The longest a batch insert may take before it is cancelled and retried.
const FLUSH_TIMEOUT_MS = 30_000;

// Not a stream.Writable: pino only needs write(), and Writable's bookkeeping would cost
// more than the rest of a log call.
export class DbLogSink {
  readonly stats = { written: 0, spilled: 0, failures: 0, lost: 0 };
  private queue: Item[] = [];
  // Bytes queued (UTF-16 length of the line or row text) and the highest seen.
  private queueBytes = 0;
  private peakBytes = 0;
  private sql: postgres.Sql | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private flushSoon: NodeJS.Immediate | null = null;
  private spill: { write: (s: string) => unknown } | null = null;
  private readonly o: DbLogSinkOptions;

  constructor(opts: DbLogSinkOptions) {
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

  private spillLine(line: string): void {
    this.stats.spilled++;
    try {
      this.spill?.write(line + '\n');
    } catch {
      // The file sink is gone (shutdown): the line is counted as spilled, and lost.
      this.stats.lost++;
    }
  }

  write(line: string): boolean {
    this.enqueue(storableLine(line));
    return true;
  }

  // Bot log lines (POST /v1/logs) come in as rows.
  enqueue(item: Item): void {
    const bytes = itemBytes(item);
    if (this.queue.length >= this.o.queueMax || this.queueBytes + bytes > (this.o.queueMaxBytes ?? Infinity)) {
      this.spillLine(typeof item === 'string' ? item.trimEnd() : JSON.stringify({ ...item, spilled_from: 'database' }));
      return;
    }
    this.queue.push(item);
    this.queueBytes += bytes;
    if (this.queueBytes > this.peakBytes) this.peakBytes = this.queueBytes;
    // A full batch is sent from its own turn of the event loop, not from inside the log
    // call that filled it: building the batch's text took ~0.5 µs a line off the caller.
    if (this.queue.length >= this.o.batchSize && !this.flushSoon) {
      this.flushSoon = setImmediate(() => {
        this.flushSoon = null;
        void this.flush();
      });
    }
  }

  flush(): Promise<void> {
    if (this.flushing || !this.sql || this.queue.length === 0) return this.flushing ?? Promise.resolve();
    const sql = this.sql;
    const batch = this.queue.splice(0, this.o.batchSize);
    const batchBytes = batch.reduce((n, i) => n + itemBytes(i), 0);
    this.queueBytes -= batchBytes;
    this.flushing = (async () => {
      try {
        const json = '[' + batch.map((i) => (typeof i === 'string' ? i : JSON.stringify({ time: i.logged_at, level: i.level, category: i.category, source: i.source, msg: i.msg, session_id: i.session_id ?? undefined, _blotter_fields: i.fields }))).join(',') + ']';
        const query = sql.unsafe(INSERT_FROM_JSON, [json]);
        await withDeadline(query, FLUSH_TIMEOUT_MS, 'log batch insert', () => void query.cancel());
        this.stats.written += batch.length;
      } catch {
        this.stats.failures++;
        // Back to the front of the queue; what no longer fits spills.
        let room = Math.max(0, this.o.queueMax - this.queue.length);
        let roomBytes = (this.o.queueMaxBytes ?? Infinity) - this.queueBytes;
        let back = 0;
        while (back < batch.length && back < room && itemBytes(batch[back]!) <= roomBytes) roomBytes -= itemBytes(batch[back++]!);
        room = back;
        this.queue.unshift(...batch.slice(0, room));
        this.queueBytes += batch.slice(0, room).reduce((n, i) => n + itemBytes(i), 0);
        for (const r of batch.slice(room)) this.spillLine(typeof r === 'string' ? r.trimEnd() : JSON.stringify({ ...r, spilled_from: 'database' }));
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  queued(): number {
    return this.queue.length;
  }

  // The queue as health shows it (lines past the bound spill to the file, counted).
  fill(): { bytes: number; limit_bytes: number; peak_bytes: number; refused: number; lines: number } {
    return { bytes: this.queueBytes, limit_bytes: this.o.queueMaxBytes ?? 0, peak_bytes: this.peakBytes, refused: this.stats.spilled, lines: this.queue.length };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = null;
    for (let i = 0; i < 20 && this.queue.length && this.sql; i++) {
      const before = this.queue.length;
      await this.flush();
      if (this.queue.length >= before) break;
    }
    // Whatever the database would not take goes to the file.
    this.queueBytes = 0;
    for (const r of this.queue.splice(0)) this.spillLine(typeof r === 'string' ? r.trimEnd() : JSON.stringify({ ...r, spilled_from: 'database' }));
  }
}

// A row's size is measured once (its fields serialized), not at every count of the queue.
const rowBytes = new WeakMap<Row, number>();
function itemBytes(i: Item): number {
  if (typeof i === 'string') return i.length;
  let n = rowBytes.get(i);
  if (n === undefined) rowBytes.set(i, (n = i.msg.length + (i.fields ? JSON.stringify(i.fields).length : 0) + 100));
  return n;
}
