// The bot-facing HTTP API. Every request needs the bearer token. POST /v1/events answers
// per item (accepted, duplicate, rejected with field and reason) and sends 202 only once
// the accepted items are fsynced in the spool. A malformed body is a 400 that says where,
// an oversized one a 413, a full spool a 503 with Retry-After; nothing of a refused
// request is written.
import { hash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type pino from 'pino';
import type postgres from 'postgres';
import type { Config } from '../config.ts';
import { EventValidationError, checkTimestamp } from '../ledger/event.ts';
import type { LedgerEvent } from '../ledger/event.ts';
import { withDeadline } from '../db/deadline.ts';
import { isRaw, parseExact } from '../ledger/json.ts';
import { checkStorable, Problems, unstorable } from '../ledger/storable.ts';
import type { DbLogSink } from '../log/db-sink.ts';
import { REDACT } from '../log/logger.ts';
import { makeRedactor } from '../log/redact.ts';
import { BotMetrics, Counter, Histogram, type Registry } from '../metrics.ts';
import { KeyFilter } from './bloom.ts';
import { RecentKeys } from './recent-keys.ts';
import { HttpError } from './http-error.ts';
import { ByteBudget, type StageFill } from './budget.ts';
import { bearerMatcher, limitConnections, serverOptions } from './connections.ts';
import { SpoolFullError, SpoolWriteError, type Spool } from './spool.ts';
import { toBotEvent } from './vocabulary.ts';
import { toRecord, type Writer } from './writer.ts';

export type ItemResult = {
  index: number;
  status: 'accepted' | 'duplicate' | 'conflict' | 'rejected';
  idempotency_key?: string;
  // The first problem; `problems` lists them all (bounded), each with its field.
  field?: string;
  reason?: string;
  problems?: { field: string; reason: string }[];
};

// What the agent knows of the database: migrated and usable (`ready`), or why not.
export type DatabaseState = { ready: boolean; since: number; reason: string | null; jobsError: string | null };

export type IngestDeps = {
  config: Config['ingest'];
  spool: Spool;
  writer: Writer;
  sql: postgres.Sql;
  metrics: Registry;
  log: pino.Logger;
  logSink?: DbLogSink;
  sessionId: string;
  // Capacity of the filter of known keys (0: always ask the ledger).
  keyFilterCapacity?: number;
  database: () => DatabaseState;
  // Health turns degraded when events wait this long with no batch committed.
  stallMs: number;
  // The IB relay's held events, when the relay runs (health shows its fill).
  relayFill?: () => StageFill | null;
  // Field names redacted from the bot's log lines, besides the logger's own list.
  redact: readonly string[];
  // The review console (agent/console), when console.enabled: it is served under /console
  // on this listener and does its own sign-in (people, not the bot's bearer token).
  console?: { handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<number> } | null;
};

function rejected(index: number, err: EventValidationError): ItemResult {
  return { index, status: 'rejected', field: err.field, reason: err.reason, problems: err.problems };
}

// What makes two events with one idempotency key "the same event" (session_id aside: a
// bot retrying after its own restart has a new session). Mirrors ledger.compare_keys.
function fingerprint(e: LedgerEvent): string {
  return hash('sha1', JSON.stringify([e.stream, e.source, e.eventType, e.occurredAt, e.entityType, e.entityId, e.account, e.actor, e.payload]), 'base64');
}

// What one request holds of the in-flight budget: all of it, and the part still arriving.
type Hold = { bytes: number; receiving: number };


// Metrics go straight to the database (they are not spooled): the request waits this long.
const METRICS_TIMEOUT_MS = 5000;

export type IngestServer = http.Server & { stopAccepting: () => void; databaseReady: () => void; healthReport: () => unknown };

export function createIngestServer(d: IngestDeps): IngestServer {
  const tokenMatches = bearerMatcher(d.config.token);
  const recent = new RecentKeys(200_000);
  const redactor = makeRedactor([...REDACT, ...d.redact]);
  // Loaded from the ledger in the background; until then every new key is looked up.
  let filter: KeyFilter | null = null;

  async function loadFilter(capacity: number): Promise<void> {
    const f = new KeyFilter(capacity);
    const started = Date.now();
    try {
      const cursor = d.sql`select idempotency_key from ledger.idempotency_keys`.cursor(10_000);
      for await (const rows of cursor) for (const r of rows) f.add(r.idempotency_key as string);
      // Keys accepted while loading are in `recent` and still claimed there.
      filter = f;
      d.log.info({ keys: f.size(), capacity, ms: Date.now() - started }, 'ingest: known-key filter loaded');
    } catch (err) {
      // A load cut short by shutdown is not news (and the log sinks may be closed by then).
      if (accepting) d.log.warn({ err: (err as Error).message }, 'ingest: known-key filter not loaded; every new key is looked up in the ledger');
    }
  }
  const spoolId = randomUUID();
  let autoKey = 0;
  let accepting = true;
  // Requests refused because the spool could not write, since start (logged now and then).
  let spoolWriteErrors = 0;
  // Keys claimed in `recent` by a request whose spool write has not settled yet, with that
  // write's outcome (null: durable). Bounded by the requests in flight (connections are
  // capped, items per request too): each entry goes when its write settles.
  const unsettled = new Map<string, Promise<Error | null>>();
  function claimUntilSettled(keys: string[], write: Promise<void>): void {
    if (keys.length === 0) return;
    const settled = write.then(() => null, (err: Error) => err);
    for (const k of keys) unsettled.set(k, settled);
    void settled.then(() => {
      for (const k of keys) if (unsettled.get(k) === settled) unsettled.delete(k);
    });
  }

  const registers = [d.metrics];
  const m = {
    requests: new Counter({ name: 'blotter_ingest_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    items: new Counter({ name: 'blotter_ingest_events_total', help: 'Events received, by result', labelNames: ['result'], registers }),
    botLogs: new Counter({ name: 'blotter_ingest_logs_total', help: 'Log lines received from the bot', registers }),
    // From the request's arrival to the answer: what the bot waits for an ack (202 = fsynced).
    ack: new Histogram({
      name: 'blotter_ingest_ack_seconds', help: 'Time from request to response for POST /v1/events, by status', labelNames: ['status'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    botMetrics: new BotMetrics(d.metrics, 'blotter_bot_metric', 'Latest value of each metric the bot posted'),
  };
  // Route labels come from this list only: a scan of made-up paths must not grow /metrics.
  const ROUTES = new Set(['POST /v1/events', 'POST /v1/logs', 'POST /v1/metrics', 'GET /v1/health', 'GET /v1/trading-status', 'GET /metrics']);

  function authorized(req: http.IncomingMessage): boolean {
    return tokenMatches(req.headers.authorization);
  }

  // Request bodies held between their first byte and the answer (the parsed items live
  // as long): one budget for all requests, so memory is bounded however many arrive.
  const inFlight = new ByteBudget('in_flight', d.config.max_in_flight);
  let receiving = 0;
  const busy = () => new HttpError(503, `the agent holds ${inFlight.used()} bytes of requests (ingest.max_in_flight ${d.config.max_in_flight}): retry shortly`,
    { 'retry-after': '1', connection: 'close' });

  function readBody(req: http.IncomingMessage, hold: Hold): Promise<string> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > d.config.max_body) {
        reject(new HttpError(413, `body of ${declared} bytes exceeds the limit of ${d.config.max_body}`));
        return;
      }
      // A declared length is taken whole before a byte is read; a chunked body chunk by chunk.
      if (declared > 0) {
        if (!inFlight.take(declared)) {
          reject(busy());
          return;
        }
        hold.bytes = declared;
        receiving += declared;
        hold.receiving = declared;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      // However the body ends (whole, cut, refused, timed out): no more deadline, and its
      // bytes are no longer arriving (they stay held until the answer).
      const settle = () => {
        clearTimeout(deadline);
        receiving -= hold.receiving;
        hold.receiving = 0;
      };
      // A body that trickles in (slowloris) holds a connection and a buffer: past the
      // deadline it is cut, answered 408, and its connection closed.
      const deadline = setTimeout(() => {
        req.removeAllListeners('data');
        req.pause();
        settle();
        reject(new HttpError(408, `body not received within ingest.body_timeout_ms (${d.config.body_timeout_ms} ms)`, { connection: 'close' }));
      }, d.config.body_timeout_ms);
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > d.config.max_body) {
          settle();
          reject(new HttpError(413, `body exceeds the limit of ${d.config.max_body} bytes`));
          req.removeAllListeners('data');
          req.resume();
          return;
        }
        if (size > hold.bytes) {
          const more = size - hold.bytes;
          if (!inFlight.take(more)) {
            settle();
            req.removeAllListeners('data');
            req.pause();
            reject(busy());
            return;
          }
          hold.bytes += more;
          hold.receiving += more;
          receiving += more;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        settle();
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      // A client that goes away mid-body is not an internal error (nor a 500 to count and
      // log): nothing of the request is taken, and nobody is left to answer.
      req.on('error', (err) => {
        settle();
        reject(req.destroyed ? new HttpError(400, `the client closed the connection before the body was complete (${err.message})`) : err);
      });
    });
  }

  // A JSON array, or NDJSON (one value per line). Parse errors name the line (NDJSON)
  // or the position (JSON).
  function items(req: http.IncomingMessage, body: string): unknown[] {
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/ndjson') {
      const out: unknown[] = [];
      const lines = body.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.trim();
        if (!line) continue;
        try {
          out.push(parseExact(line));
        } catch (err) {
          throw new HttpError(400, `line ${i + 1}: ${(err as Error).message}`);
        }
      }
      return out;
    }
    if (type !== 'application/json') throw new HttpError(415, `content-type ${type} is not supported: send application/json (an array) or application/x-ndjson`);
    let parsed: unknown;
    try {
      parsed = parseExact(body);
    } catch (err) {
      throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
    }
    // One item may come as a bare object; several as an array.
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && !isRaw(parsed)) return [parsed];
    if (!Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object (one item), an array of items, or NDJSON with content-type application/x-ndjson');
    return parsed;
  }

  function limited(list: unknown[]): unknown[] {
    if (list.length > d.config.max_items_per_request) throw new HttpError(413, `${list.length} items exceed the limit of ${d.config.max_items_per_request} per request`);
    return list;
  }

  async function readItems(req: http.IncomingMessage, hold: Hold): Promise<unknown[]> {
    return limited(items(req, await readBody(req, hold)));
  }

  // Keys the ledger already holds: key -> the seq of the first event and whether this one
  // is the same event. Only when the database is known to be up, and never for long: the
  // ledger drops any duplicate this misses, so the answer can only be late, never wrong
  // in effect (a conflict it misses is dropped like a duplicate: still never written).
  async function knownKeys(events: LedgerEvent[]): Promise<Map<number, { seq: string; same: boolean }>> {
    const found = new Map<number, { seq: string; same: boolean }>();
    if (events.length === 0 || !d.database().ready || !d.writer.stats.dbUp) return found;
    const items = '[' + events.map((e) => `{"k":${JSON.stringify(e.idempotencyKey)},"stream":${JSON.stringify(e.stream)},"source":${JSON.stringify(e.source)},` +
      `"event_type":${JSON.stringify(e.eventType)},"occurred_at":${JSON.stringify(e.occurredAt)},"entity_type":${JSON.stringify(e.entityType)},` +
      `"entity_id":${JSON.stringify(e.entityId)},"account":${JSON.stringify(e.account)},"actor":${JSON.stringify(e.actor)},"payload":${e.payload}}`).join(',') + ']';
    const query = d.sql`select item, seq::text as seq, same from ledger.compare_keys(${items}::text::jsonb)`;
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), d.config.duplicate_check_ms).unref());
    try {
      const rows = await Promise.race([query, timeout]);
      if (rows === null) {
        query.cancel();
        return found;
      }
      for (const r of rows) found.set(r.item as number, { seq: r.seq as string, same: r.same as boolean });
      return found;
    } catch {
      return found;
    }
  }

  async function postEvents(req: http.IncomingMessage, timing: string[], hold: Hold): Promise<[number, unknown]> {
    if (!accepting) throw new HttpError(503, 'shutting down', { 'retry-after': '5' });
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timing.push(`${name};dur=${(now - t).toFixed(2)}`);
      t = now;
    };
    // The body and its parsed tree are let go before the spool wait: a request waiting
    // there outlives a few young-generation collections, and what it still holds is
    // promoted to the old generation (more, and longer, major collections).
    let body: string | null = await readBody(req, hold);
    lap('read');
    let list = limited(items(req, body));
    body = null;
    lap('parse');
    const results: ItemResult[] = [];
    // Items to spool: the first of each new key (and keyless ones, keyed here).
    const accepted: { i: number; ev: LedgerEvent; fp: string | null }[] = [];
    // Items with a client key not in memory, to compare with the ledger: the first of
    // each key (a lead) and any later one with the same key in this request.
    const candidates: { i: number; ev: LedgerEvent; fp: string; pos: number; lead: number }[] = [];
    const leads = new Map<string, number>();
    // Items whose key another request claimed and is still writing.
    const waits: { i: number; key: string; same: boolean; first: Promise<Error | null> }[] = [];
    const duplicateOr = (i: number, key: string, same: boolean, where: string): ItemResult => same
      ? { index: i, status: 'duplicate', idempotency_key: key }
      : { index: i, status: 'conflict', idempotency_key: key, field: 'idempotency_key', reason: `was already used for a different event${where}; nothing written` };
    for (let i = 0; i < list.length; i++) {
      let ev: LedgerEvent;
      try {
        ev = toBotEvent(list[i]);
      } catch (err) {
        if (!(err instanceof EventValidationError)) throw err;
        results[i] = rejected(i, err);
        continue;
      }
      const key = ev.idempotencyKey;
      if (key === null) {
        // A key the agent assigns makes a replay of the spool exact; it cannot make a
        // client's own retry safe (only the client's key can).
        ev.idempotencyKey = `spool:${spoolId}:${++autoKey}`;
        accepted.push({ i, ev, fp: null });
        continue;
      }
      const fp = fingerprint(ev);
      const seen = recent.check(key, fp);
      if (seen !== 'new') {
        // Claimed by a request whose spool write has not settled: answering `duplicate` now
        // would acknowledge an event that is not durable yet, and may never be (the write
        // can fail, the process can die). Wait for that write (below).
        const first = unsettled.get(key);
        if (first) waits.push({ i, key, same: seen === 'same', first });
        else results[i] = duplicateOr(i, key, seen === 'same', '');
        continue;
      }
      const lead = leads.get(key);
      if (lead === undefined) {
        leads.set(key, candidates.length);
        accepted.push({ i, ev, fp });
      }
      candidates.push({ i, ev, fp, pos: candidates.length, lead: lead ?? candidates.length });
    }
    lap('validate');
    list = [];
    // Claimed before the fsync so a concurrent retry of the same key is a duplicate.
    for (const a of accepted) if (a.fp) recent.add(a.ev.idempotencyKey!, a.fp);
    // The ledger check runs alongside the fsync: a key it finds is answered `duplicate` (or
    // `conflict`) and, though spooled, dropped by the ledger: never written twice.
    const asked = candidates.filter((c) => filter === null || filter.mightContain(c.ev.idempotencyKey!));
    let known: Map<number, { seq: string; same: boolean }>;
    const appended = d.spool.append(accepted.map((a) => toRecord(a.ev)));
    claimUntilSettled(accepted.flatMap((a) => (a.fp ? [a.ev.idempotencyKey!] : [])), appended);
    try {
      const keysStarted = performance.now();
      [, known] = await Promise.all([
        appended,
        knownKeys(asked.map((c) => c.ev)).then((k) => {
          if (asked.length) timing.push(`keys;desc="${asked.length} asked";dur=${(performance.now() - keysStarted).toFixed(2)}`);
          return k;
        }),
      ]);
    } catch (err) {
      for (const a of accepted) recent.delete(a.ev.idempotencyKey!);
      if (err instanceof SpoolFullError) throw new HttpError(503, `${err.message}: the database is not keeping up or is down; retry later`, { 'retry-after': '5' });
      // The spool's disk is full or failing: nothing of this request was acknowledged, and
      // the same request may be taken once space is freed. Not a 500 (the bot's retry is
      // the designed answer), but loud: someone must free the disk.
      if (err instanceof SpoolWriteError) {
        spoolWriteErrors++;
        if (spoolWriteErrors === 1 || spoolWriteErrors % 1000 === 0) d.log.error({ err: err.message, refused: spoolWriteErrors }, 'ingest: the spool cannot write; requests are refused with 503');
        throw new HttpError(503, `${err.message}; retry later`, { 'retry-after': '5' });
      }
      throw err;
    }
    lap('spool');
    const inLedger = new Map<string, string>();
    asked.forEach((c, n) => {
      const k = known.get(n);
      if (k) inLedger.set(c.ev.idempotencyKey!, k.seq);
    });
    const askedIndex = new Map(asked.map((c, n) => [c, n]));
    for (const c of candidates) {
      const key = c.ev.idempotencyKey!;
      const seq = inLedger.get(key);
      if (seq !== undefined) {
        // Known to the ledger: every item with the key is compared with the stored event.
        results[c.i] = duplicateOr(c.i, key, known.get(askedIndex.get(c)!)?.same ?? false, ` (ledger seq ${seq})`);
        // What `recent` holds is this request's fingerprint, not the ledger's: forget it.
        recent.delete(key);
      } else if (c.lead === c.pos) {
        results[c.i] = { index: c.i, status: 'accepted', idempotency_key: key };
        filter?.add(key);
      } else {
        results[c.i] = duplicateOr(c.i, key, candidates[c.lead]!.fp === c.fp, ' earlier in this request');
      }
    }
    for (const a of accepted) if (a.fp === null) results[a.i] = { index: a.i, status: 'accepted', idempotency_key: a.ev.idempotencyKey! };
    if (waits.length) {
      const outcomes = await Promise.all(waits.map((w) => w.first));
      const failed = outcomes.find((e) => e !== null);
      // The first write of one of these keys was refused: nothing of it is acknowledged, so
      // neither is this request (what it spooled itself is durable, and a retry is answered
      // `duplicate` for it). The retry finds the key unclaimed and takes it.
      if (failed) throw new HttpError(503, `an earlier request with the same idempotency key was not written (${failed.message}); retry`, { 'retry-after': '1' });
      for (const w of waits) results[w.i] = duplicateOr(w.i, w.key, w.same, '');
    }
    const summary = { accepted: 0, duplicate: 0, conflict: 0, rejected: 0 };
    for (const r of results) summary[r.status]++;
    for (const [result, n] of Object.entries(summary)) if (n) m.items.inc({ result }, n);
    if (summary.conflict) d.log.warn({ conflicts: results.filter((r) => r.status === 'conflict').slice(0, 10).map((r) => r.idempotency_key) }, 'ingest: idempotency keys reused for different events');
    return [summary.accepted > 0 ? 202 : 200, { ...summary, items: results }];
  }

  const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  async function postLogs(req: http.IncomingMessage, hold: Hold): Promise<[number, unknown]> {
    const list = await readItems(req, hold);
    const results: ItemResult[] = [];
    const rows = [];
    for (let i = 0; i < list.length; i++) {
      const x = list[i] as Record<string, unknown>;
      try {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new EventValidationError('(line)', 'must be a JSON object');
        for (const k of Object.keys(x)) if (!['time', 'level', 'category', 'msg', 'fields', 'session_id'].includes(k)) throw new EventValidationError(k, 'is not a known field (time, level, category, msg, fields, session_id)');
        if (typeof x.level !== 'string' || !LOG_LEVELS.has(x.level)) throw new EventValidationError('level', 'must be one of trace, debug, info, warn, error, fatal');
        if (typeof x.msg !== 'string' || x.msg.length > 10_000) throw new EventValidationError('msg', 'must be a string of at most 10000 characters');
        const category = x.category ?? 'system';
        if (typeof category !== 'string' || !/^[a-z][a-z0-9_]{0,30}$/.test(category)) throw new EventValidationError('category', 'must be a lower-case name such as order or execution');
        const time = x.time === undefined ? new Date().toISOString() : checkTimestamp('time', x.time);
        if (x.fields !== undefined && (x.fields === null || typeof x.fields !== 'object' || Array.isArray(x.fields))) throw new EventValidationError('fields', 'must be an object');
        if (x.session_id !== undefined && (typeof x.session_id !== 'string' || x.session_id.length > 1000)) throw new EventValidationError('session_id', 'must be a string of at most 1000 characters');
        const p = new Problems();
        checkStorable('msg', x.msg, p);
        checkStorable('fields', x.fields, p);
        checkStorable('session_id', x.session_id, p);
        if (p.list.length) throw EventValidationError.of(p.list);
        // Secrets never reach ops.logs in clear: the same names the agent's logger redacts.
        rows.push({ logged_at: time, level: x.level, category, source: 'bot', msg: redactor.text(x.msg), fields: x.fields === undefined ? null : redactor.fields(x.fields), session_id: (x.session_id as string) ?? null });
        results.push({ index: i, status: 'accepted' });
      } catch (err) {
        if (!(err instanceof EventValidationError)) throw err;
        results.push(rejected(i, err));
      }
    }
    if (!d.logSink) throw new HttpError(503, 'the database log sink is disabled (logging.handlers.database.enabled)');
    for (const r of rows) d.logSink.enqueue(r);
    m.botLogs.inc({}, rows.length);
    return [rows.length ? 202 : 200, { accepted: rows.length, rejected: results.length - rows.length, items: results }];
  }

  const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
  async function postMetrics(req: http.IncomingMessage, hold: Hold): Promise<[number, unknown]> {
    const list = await readItems(req, hold);
    const results: ItemResult[] = [];
    const rows: { observed_at: string; name: string; value: string; labels: Record<string, string>; session_id: string | null }[] = [];
    for (let i = 0; i < list.length; i++) {
      const x = list[i] as Record<string, unknown>;
      try {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new EventValidationError('(item)', 'must be a JSON object');
        for (const k of Object.keys(x)) if (!['name', 'value', 'labels', 'time', 'session_id'].includes(k)) throw new EventValidationError(k, 'is not a known field (name, value, labels, time, session_id)');
        if (typeof x.name !== 'string' || !METRIC_NAME.test(x.name)) throw new EventValidationError('name', 'must match [a-zA-Z_][a-zA-Z0-9_]*');
        const value = isRaw(x.value) ? x.value.rawJSON : typeof x.value === 'string' || typeof x.value === 'number' ? String(x.value) : '';
        if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) throw new EventValidationError('value', 'must be a number');
        const labels = (x.labels ?? {}) as Record<string, unknown>;
        if (typeof labels !== 'object' || Array.isArray(labels) || Object.entries(labels).some(([k, v]) => !METRIC_NAME.test(k) || typeof v !== 'string')) {
          throw new EventValidationError('labels', 'must be an object of string values with metric-style names');
        }
        const time = x.time === undefined ? new Date().toISOString() : checkTimestamp('time', x.time);
        if (x.session_id !== undefined && (typeof x.session_id !== 'string' || x.session_id.length > 1000)) throw new EventValidationError('session_id', 'must be a string of at most 1000 characters');
        const p = new Problems();
        checkStorable('labels', labels, p);
        checkStorable('session_id', x.session_id, p);
        if (p.list.length) throw EventValidationError.of(p.list);
        rows.push({ observed_at: time, name: x.name, value, labels: labels as Record<string, string>, session_id: typeof x.session_id === 'string' ? x.session_id : null });
        results.push({ index: i, status: 'accepted' });
      } catch (err) {
        if (!(err instanceof EventValidationError)) throw err;
        results.push(rejected(i, err));
      }
    }
    if (rows.length) {
      try {
        if (!d.database().ready) throw new Error('the database is not ready');
        const insert = d.sql`insert into ops.metrics ${d.sql(rows.map((r) => ({ ...r, labels: d.sql.json(r.labels) })), 'observed_at', 'name', 'value', 'labels', 'session_id')}`;
        await withDeadline(insert, METRICS_TIMEOUT_MS, 'metrics insert', () => void insert.cancel());
      } catch (err) {
        throw new HttpError(503, `metrics could not be stored: ${(err as Error).message}`, { 'retry-after': '5' });
      }
      for (const r of rows) m.botMetrics.set(r.name, r.labels, r.value);
    }
    return [rows.length ? 202 : 200, { accepted: rows.length, rejected: results.length - rows.length, items: results }];
  }

  // Liveness and readiness. Alive: the process answers, 200 whether `ok` or `degraded` (a
  // database that is away is no reason to restart the sidecar; the spool holds events),
  // 503 only while stopping. Ready (`ready`, and with ?ready the status code): events sent
  // now would be taken with a 202, i.e. not stopping and the spool has room for one more
  // full request (ingest.max_body, or a tenth of the quota if that is less).
  function health(req: http.IncomingMessage): [number, unknown] {
    const w = d.writer.stats;
    const free = d.spool.opts.quotaBytes - d.spool.pendingBytes();
    const spoolFull = free < Math.min(d.config.max_body, d.spool.opts.quotaBytes / 10);
    const db = d.database();
    const stalledMs = d.writer.stalledMs();
    const reasons: string[] = [];
    if (!db.ready) reasons.push(`${db.reason ?? 'database not ready'}; events are kept in the spool`);
    else if (!w.dbUp) reasons.push(`database writes failing: ${w.lastError ?? 'unknown error'}; events are kept in the spool`);
    if (stalledMs > d.stallMs) {
      reasons.push(`writer has made no progress for ${Math.round(stalledMs / 1000)} s while ${d.spool.pendingBytes()} bytes wait${w.lastError ? ` (last error: ${w.lastError})` : ''}`);
    }
    if (db.jobsError) reasons.push(`scheduled jobs are not running: ${db.jobsError}`);
    if (spoolFull) reasons.push(`spool nearly full (${free} bytes left of ${d.spool.opts.quotaBytes}): new events are refused with 503`);
    const ready = accepting && !spoolFull;
    const body = {
      status: !accepting ? 'stopping' : reasons.length ? 'degraded' : 'ok',
      ready,
      reasons,
      database: {
        reachable: db.ready && w.dbUp, state: db.ready ? 'ready' : 'waiting', since: new Date(db.since).toISOString(),
        last_write_at: w.lastSuccessAt ? new Date(w.lastSuccessAt).toISOString() : null, last_error: w.lastError,
      },
      spool: { bytes: d.spool.pendingBytes(), quota_bytes: d.spool.opts.quotaBytes },
      // Every stage that holds data in memory, with its bound (README: "Memory").
      stages: {
        in_flight: { ...inFlight.fill(), receiving_bytes: receiving, parsed_bytes: inFlight.used() - receiving },
        writer_batch: d.writer.batchFill(),
        ...(d.logSink ? { log_queue: d.logSink.fill() } : {}),
        ...(d.relayFill?.() ? { relay_held: d.relayFill()! } : {}),
      },
      writer: { lag_ms: d.spool.lagMs(), stalled_ms: stalledMs, batches: w.batches, events: w.events, duplicates: w.duplicates, errors: w.errors, timeouts: w.timeouts, rejected: w.rejected, stalls: w.stalls },
      memory: (({ rss, heapUsed, external, arrayBuffers }) => ({ rss, heap_used: heapUsed, external, array_buffers: arrayBuffers }))(process.memoryUsage()),
      session_id: d.sessionId,
    };
    const askedReady = (req.url ?? '').includes('?') && new URL(req.url!, 'http://blotter').searchParams.has('ready');
    return [accepting && (ready || !askedReady) ? 200 : 503, body];
  }

  // May the bot send orders? Fail closed: 200 with status ok only when every account (or
  // the one asked for) is ok in recon.trading_status; halt when any halts or none is known;
  // 503 halt when the database cannot say within the deadline. Read through the agent's
  // own pool (role blotter_agent), which may read that view and nothing of the breaks.
  const TRADING_STATUS_TIMEOUT_MS = 2000;
  async function tradingStatus(req: http.IncomingMessage): Promise<[number, unknown]> {
    const account = new URL(req.url ?? '/', 'http://blotter').searchParams.get('account');
    const unreachable = (why: string): [number, unknown] => [503, { status: 'halt', reasons: [`database unreachable: ${why}`], accounts: [] }];
    const db = d.database();
    if (!db.ready) return unreachable((db.reason ?? 'not ready').replace(/^database unreachable: /, ''));
    let rows: postgres.Row[];
    try {
      let query: postgres.PendingQuery<postgres.Row[]> | null = null;
      // JIT off: the view's cost estimate is high enough for PostgreSQL to JIT-compile a
      // plan that runs in milliseconds, which takes seconds (PostgreSQL 15 with LLVM).
      // Reasons as json: the agent's pool reads no arrays (fetch_types is off).
      const read = d.sql.begin(async (tx) => {
        await tx`set local jit = off`;
        query = tx`
          select account, status, array_to_json(reasons) as reasons, last_run_at, open_breaks::int as open_breaks, critical_breaks::int as critical_breaks, relay_state, checked_at
            from recon.trading_status
           ${account === null ? tx`` : tx`where account = ${account}`}
           order by account`;
        return await query;
      });
      rows = await withDeadline(read, TRADING_STATUS_TIMEOUT_MS, 'trading status', () => void query?.cancel());
    } catch (err) {
      d.log.warn({ err: (err as Error).message }, 'ingest: trading status could not be read');
      return unreachable((err as Error).message);
    }
    const reasons = rows.flatMap((r) => (r.reasons as string[]).map((x) => `${r.account}: ${x}`));
    if (rows.length === 0) reasons.push(account === null ? 'no account has been reconciled' : `account ${account} has not been reconciled`);
    const ok = rows.length > 0 && rows.every((r) => r.status === 'ok');
    return [200, { status: ok ? 'ok' : 'halt', reasons, accounts: rows }];
  }

  const server = http.createServer(serverOptions(d.config), async (req, res) => {
    const started = performance.now();
    const pathname = (req.url ?? '').split('?')[0]!;
    if (d.console && (pathname === '/console' || pathname.startsWith('/console/'))) {
      const status = await d.console.handle(req, res);
      m.requests.inc({ route: 'console', status: String(status) });
      return;
    }
    const route = `${req.method} ${pathname}`;
    let status = 500;
    let body: unknown;
    let headers: Record<string, string> = {};
    const timing: string[] = [];
    const hold: Hold = { bytes: 0, receiving: 0 };
    try {
      if (!authorized(req)) throw new HttpError(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
      switch (route) {
        case 'POST /v1/events': [status, body] = await postEvents(req, timing, hold); break;
        case 'POST /v1/logs': [status, body] = await postLogs(req, hold); break;
        case 'POST /v1/metrics': [status, body] = await postMetrics(req, hold); break;
        case 'GET /v1/health': [status, body] = health(req); break;
        case 'GET /v1/trading-status': [status, body] = await tradingStatus(req); break;
        case 'GET /metrics': {
          const text = await d.metrics.metrics();
          res.writeHead(200, { 'content-type': d.metrics.contentType });
          res.end(text);
          m.requests.inc({ route, status: '200' });
          return;
        }
        default: throw new HttpError(404, `no route ${route}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        headers = err.headers;
        body = { error: err.message };
      } else {
        status = 500;
        body = { error: 'internal error' };
        d.log.error({ err: (err as Error).message, route }, 'ingest: request failed');
      }
    }
    m.requests.inc({ route: ROUTES.has(route) ? route : 'other', status: String(status) });
    const text = JSON.stringify(body);
    if (timing.length) headers['server-timing'] = timing.join(', ');
    res.writeHead(status, { 'content-type': 'application/json', ...headers, ...(status === 413 ? { connection: 'close' } : {}) });
    res.end(text);
    inFlight.give(hold.bytes);
    if (route === 'POST /v1/events') m.ack.observe({ status: String(status) }, (performance.now() - started) / 1000);
  });
  limitConnections(server, d.config, d.log, d.metrics);
  server.on('close', () => {
    accepting = false;
  });
  return Object.assign(server, {
    stopAccepting: () => {
      accepting = false;
    },
    // What GET /v1/health answers, for the review console's overview.
    healthReport: () => health({ url: '/v1/health' } as http.IncomingMessage)[1],
    // The known-key filter is read from the ledger: once the database is migrated.
    databaseReady: () => {
      if ((d.keyFilterCapacity ?? 0) > 0 && filter === null) void loadFilter(d.keyFilterCapacity!);
    },
  });
}
