import { withDeadline } from "../db/deadline.js";
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
export function storableLine(line) {
    return line.includes('\\u') ? line.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : line;
}
// The longest a batch insert may take before it is cancelled and retried.
const FLUSH_TIMEOUT_MS = 30_000;
// Not a stream.Writable: pino only needs write(), and Writable's bookkeeping would cost
// more than the rest of a log call.
export class DbLogSink {
    stats = { written: 0, spilled: 0, failures: 0, lost: 0 };
    queue = [];
    sql = null;
    timer = null;
    flushing = null;
    spill = null;
    o;
    constructor(opts) {
        this.o = opts;
    }
    // Connected once the database is up; until then lines queue (and spill past the limit).
    attach(sql) {
        this.sql = sql;
        this.timer = setInterval(() => void this.flush(), this.o.flushMs);
        this.timer.unref();
    }
    spillTo(stream) {
        this.spill = stream;
    }
    spillLine(line) {
        this.stats.spilled++;
        try {
            this.spill?.write(line + '\n');
        }
        catch {
            // The file sink is gone (shutdown): the line is counted as spilled, and lost.
            this.stats.lost++;
        }
    }
    write(line) {
        this.enqueue(storableLine(line));
        return true;
    }
    // Bot log lines (POST /v1/logs) come in as rows.
    enqueue(item) {
        if (this.queue.length >= this.o.queueMax) {
            this.spillLine(typeof item === 'string' ? item.trimEnd() : JSON.stringify({ ...item, spilled_from: 'database' }));
            return;
        }
        this.queue.push(item);
        if (this.queue.length >= this.o.batchSize)
            void this.flush();
    }
    flush() {
        if (this.flushing || !this.sql || this.queue.length === 0)
            return this.flushing ?? Promise.resolve();
        const sql = this.sql;
        const batch = this.queue.splice(0, this.o.batchSize);
        this.flushing = (async () => {
            try {
                const json = '[' + batch.map((i) => (typeof i === 'string' ? i : JSON.stringify({ time: i.logged_at, level: i.level, category: i.category, source: i.source, msg: i.msg, session_id: i.session_id ?? undefined, _blotter_fields: i.fields }))).join(',') + ']';
                const query = sql.unsafe(INSERT_FROM_JSON, [json]);
                await withDeadline(query, FLUSH_TIMEOUT_MS, 'log batch insert', () => void query.cancel());
                this.stats.written += batch.length;
            }
            catch {
                this.stats.failures++;
                // Back to the front of the queue; what no longer fits spills.
                const room = Math.max(0, this.o.queueMax - this.queue.length);
                this.queue.unshift(...batch.slice(0, room));
                for (const r of batch.slice(room))
                    this.spillLine(typeof r === 'string' ? r.trimEnd() : JSON.stringify({ ...r, spilled_from: 'database' }));
            }
            finally {
                this.flushing = null;
            }
        })();
        return this.flushing;
    }
    queued() {
        return this.queue.length;
    }
    async close() {
        if (this.timer)
            clearInterval(this.timer);
        for (let i = 0; i < 20 && this.queue.length && this.sql; i++) {
            const before = this.queue.length;
            await this.flush();
            if (this.queue.length >= before)
                break;
        }
        // Whatever the database would not take goes to the file.
        for (const r of this.queue.splice(0))
            this.spillLine(typeof r === 'string' ? r.trimEnd() : JSON.stringify({ ...r, spilled_from: 'database' }));
    }
}
