// The one write path into the journal: COPY FROM STDIN in text format, inside a
// transaction, so a batch lands whole or not at all. The chain trigger assigns positions
// and drops duplicate idempotency keys; the statement trigger reports how many landed.
import { once } from 'node:events';
export const EVENT_COLUMNS = 'stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, session_id, idempotency_key, payload';
const NEEDS_ESCAPE = /[\\\n\r\t]/;
function field(v) {
    if (v === null)
        return '\\N';
    if (!NEEDS_ESCAPE.test(v))
        return v;
    return v.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
export function copyLine(e) {
    return field(e.stream) + '\t' + field(e.occurredAt) + '\t' + e.source + '\t' + e.eventType + '\t' +
        field(e.entityType) + '\t' + field(e.entityId) + '\t' + field(e.account) + '\t' + field(e.actor) + '\t' +
        field(e.sessionId) + '\t' + field(e.idempotencyKey) + '\t' + field(e.payload) + '\n';
}
// Bytes buffered before a write to the COPY stream; keeps memory flat on large inputs.
const CHUNK_BYTES = 256 * 1024;
// A COPY the database refused. postgres.js resolves the query with the stream as soon as
// COPY starts, so an error the server sends after the last row (the common case: rows are
// checked as they arrive, the trailing ones after CopyDone) rejects a promise nobody holds
// and the stream never finishes: the transaction would sit "idle in transaction (aborted)"
// forever. CopySink catches that rejection (see openCopy) and fails every wait with it.
export class CopySink {
    buf = [];
    bytes = 0;
    stream;
    failure = null;
    failed;
    fail;
    constructor(stream) {
        this.stream = stream;
        this.failed = new Promise((_, reject) => {
            this.fail = (err) => {
                if (this.failure)
                    return;
                this.failure = err;
                reject(err);
            };
        });
        // Observed only through the waits below; never an unhandled rejection.
        this.failed.catch(() => { });
        stream.on('error', (err) => this.fail(err));
    }
    // The server's refusal, however it arrived (stream error or the query's rejection).
    refused(err) {
        this.fail(err);
    }
    wait(p) {
        if (this.failure)
            return Promise.reject(this.failure);
        return Promise.race([p, this.failed]);
    }
    async write(e) {
        const line = copyLine(e);
        this.buf.push(line);
        this.bytes += line.length;
        if (this.bytes >= CHUNK_BYTES)
            await this.flush();
    }
    async flush() {
        if (this.failure)
            throw this.failure;
        if (this.buf.length === 0)
            return;
        const chunk = this.buf.join('');
        this.buf = [];
        this.bytes = 0;
        if (!this.stream.write(chunk))
            await this.wait(once(this.stream, 'drain'));
    }
    // Abandon the COPY (CopyFail) so the transaction can roll back.
    async abort(reason) {
        this.buf = [];
        if (this.stream.destroyed || this.failure)
            return;
        const closed = once(this.stream, 'close').catch(() => { });
        this.stream.destroy(new Error(reason));
        await Promise.race([closed, this.failed.catch(() => { })]);
    }
    async end() {
        await this.flush();
        await this.wait(new Promise((resolve, reject) => {
            this.stream.once('error', reject);
            this.stream.end(resolve);
        }));
    }
}
// Open COPY into `table` (ledger.events, or a trigger-free twin in the benchmark) on a
// transaction connection.
export async function openCopy(tx, table = 'ledger.events') {
    const query = tx.unsafe(`copy ${table} (${EVENT_COLUMNS}) from stdin`);
    // postgres.js 3.4 settles a query through query.reject; once COPY has begun that promise
    // is already resolved, so the server's error is routed to the sink instead.
    const q = query;
    let sink = null;
    let early = null;
    const reject = q.reject;
    q.reject = (err) => {
        if (sink)
            sink.refused(err);
        else
            early = err;
        reject(err);
    };
    const stream = await query.writable();
    sink = new CopySink(stream);
    if (early)
        sink.refused(early);
    return sink;
}
// How many rows this transaction has appended to the ledger so far (set by the chain's
// statement trigger); events sent minus this is the number of dropped duplicates.
export async function appendedInTransaction(tx) {
    const [row] = await tx `select coalesce(nullif(current_setting('blotter.appended', true), ''), '0')::bigint::text as n`;
    return Number(row.n);
}
// Append a batch already in memory: sorted by stream so every writer takes stream locks
// in the same order (no deadlocks), order within a stream kept.
export async function appendBatch(sql, events) {
    const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => (a.e.stream < b.e.stream ? -1 : a.e.stream > b.e.stream ? 1 : a.i - b.i));
    const appended = await sql.begin(async (tx) => {
        const sink = await openCopy(tx);
        for (const { e } of sorted)
            await sink.write(e);
        await sink.end();
        return appendedInTransaction(tx);
    });
    return { appended, duplicates: events.length - appended };
}
