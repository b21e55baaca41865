// The fuzzer: N generated request bodies (scripts/fuzz-gen.ts makes the items) sent to a
// running agent, and an oracle. Per request: no 5xx but a designed 503 with Retry-After,
// the statuses a refusal must have (401, 413, 415, 400), per-item answers that agree with
// what was sent (an item built valid is accepted, one built invalid rejected), counts that
// add up. After the run, once the writer has drained the spool: every item answered
// `accepted` is in the ledger exactly once with the content that was sent, no item that
// was refused or rejected is, `duplicate` and `conflict` answers agree with the content the
// key was accepted with, no request ended in a 500, the agent is alive and healthy, and
// the chain verifies. Same seed, same bodies: a failure replays with --seed.
import http from 'node:http';
import net from 'node:net';
import type postgres from 'postgres';
import { verifyLedger } from '../agent/ledger/verify.ts';
import { isRaw, parseExact } from '../agent/ledger/json.ts';
import { toBotEvent, VOCABULARY } from '../agent/ingest/vocabulary.ts';
import { unstorable } from '../agent/ledger/storable.ts';
import { MUTATIONS, render, Rng, TYPES, validItem, type Expect, type Item } from './fuzz-gen.ts';

export type FuzzOptions = {
  n: number;
  seed: number;
  host?: string;
  port: number;
  token: string;
  // The agent's limits (ingest.max_items_per_request, ingest.max_body).
  maxItems: number;
  maxBody: number;
  sql: postgres.Sql;
  concurrency?: number;
  // Prefix of every generated idempotency key: distinct per run against a kept ledger.
  tag?: string;
  // Is the agent alive? (a child process we started); health is asked in any case.
  alive?: () => boolean;
  progress?: (line: string) => void;
  drainTimeoutMs?: number;
};

export type FuzzReport = {
  bodies: number;
  items: number;
  accepted: number;
  rejected: number;
  duplicate: number;
  conflict: number;
  statuses: Record<string, number>;
  fiveHundreds: number;
  crashes: number;
  violations: string[];
  ms: number;
  summary: string;
};

type Body = {
  id: number;
  kind: string;
  route: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  items: Item[];
  // The status a refusal must have, when certain.
  status?: number;
  // How the body is sent: an ordinary request, or a socket that lies about the length or
  // cuts a chunked body off.
  transport: 'http' | 'short-length' | 'long-length' | 'chunked-cut';
  // Whether the items' per-item expectations hold (not for a truncated or mangled body).
  itemsKnown: boolean;
};

// ---- bodies ----

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];

export class Generator {
  private readonly rng: Rng;
  private n = 0;
  // Recently built valid items, to send their keys again (same or different content).
  private readonly pool: Item[] = [];
  private readonly o: FuzzOptions;
  private readonly tag: string;
  constructor(o: FuzzOptions) {
    this.o = o;
    this.rng = new Rng(o.seed);
    this.tag = o.tag ?? `fz${o.seed}`;
  }

  item(): Item {
    const rng = this.rng;
    const id = this.n++;
    // A key sent again: exactly as before, from another session, or for a different event.
    if (this.pool.length > 10 && rng.chance(0.06)) {
      const was = rng.pick(this.pool);
      const how = rng.pick(['same', 'same', 'session', 'different'] as const);
      const obj = structuredCloneItem(was.obj);
      if (how === 'session') obj.session_id = `s-other-${id}`;
      // Later by a number of seconds no other reuse picks: two different reuses differ too.
      if (how === 'different') obj.occurred_at = new Date(Date.parse(String(was.obj.occurred_at).replace(' ', 'T').replace(/z$/, 'Z')) + 1000 * (id + 1)).toISOString();
      return { ...was, obj, content: how === 'different' ? `c${id}` : was.content, reuse: how, notes: [how], text: new Map(was.text), bytes: new Map(was.bytes) };
    }
    const key = `${this.tag}.${id}`;
    const item = validItem(rng, key, `c${id}`);
    if (rng.chance(0.55)) {
      const names = Object.keys(MUTATIONS);
      const count = rng.chance(0.15) ? 2 : 1;
      const got: Expect[] = [];
      for (let i = 0; i < count; i++) {
        const name = rng.pick(names);
        // Mutations compose: one that meets a value an earlier one left (a marker, a
        // wrong type) and throws leaves the item as it is, with nothing certain expected.
        let e: Expect | null;
        try {
          e = MUTATIONS[name]!(rng, item);
        } catch {
          e = 'any';
        }
        if (e !== null) {
          got.push(e);
          item.notes.push(name);
        }
      }
      // A cross-field rule (a limit price for LMT, a non-zero cash flow) may refuse what each field allows.
      if (VOCABULARY[item.type]!.rules) for (let i = 0; i < got.length; i++) if (got[i] === 'accept') got[i] = 'any';
      // Two mutations may touch one place, the second undoing the first: no certainty.
      if (got.length === 1) item.expect = got[0]!;
      else if (got.length > 1) item.expect = 'any';
    } else if (item.key !== null) {
      if (this.pool.length >= 500) this.pool[rng.int(0, 499)] = item;
      else this.pool.push(item);
    }
    return item;
  }

  items(k: number): Item[] {
    const out: Item[] = [];
    for (let i = 0; i < k; i++) {
      const it = this.item();
      out.push(it);
      // The same key twice in one request: the second is a duplicate (or a conflict).
      if (it.key !== null && it.expect === 'accept' && !it.reuse && this.rng.chance(0.02)) out.push({ ...it, reuse: 'in-request', notes: ['in-request'] });
    }
    return out;
  }

  count(): number {
    const r = this.rng;
    const x = r.float();
    if (x < 0.5) return 1;
    if (x < 0.8) return r.int(2, 5);
    if (x < 0.97) return r.int(6, 30);
    if (x < 0.995) return r.int(31, 200);
    return r.int(this.o.maxItems - 2, this.o.maxItems);
  }

  body(id: number): Body {
    const rng = this.rng;
    const auth = { authorization: `Bearer ${this.o.token}` };
    // A body over the limit is refused for its size whatever else is wrong with it.
    const base = (kind: string, items: Item[], body: Buffer, headers: Record<string, string>, extra: Partial<Body> = {}): Body =>
      ({ id, kind, route: '/v1/events', method: 'POST', headers: { ...auth, ...headers }, body, items, transport: 'http', itemsKnown: true, ...extra,
        ...(body.length > this.o.maxBody && (extra.transport ?? 'http') === 'http' && extra.status !== 401 ? { status: 413 } : {}) });
    const json = (items: Item[]) => Buffer.concat([Buffer.from('['), ...items.flatMap((it, i) => (i ? [Buffer.from(','), render(it)] : [render(it)])), Buffer.from(']')]);
    const x = rng.float();
    if (x < 0.42) {
      const items = this.items(this.count());
      return base('json-array', items, json(items), { 'content-type': rng.pick(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8']) });
    }
    if (x < 0.5) {
      const items = this.items(1).slice(0, 1);
      return base('json-object', items, render(items[0]!), rng.chance(0.2) ? {} : { 'content-type': 'application/json' });
    }
    if (x < 0.68) {
      const items = this.items(this.count());
      const eol = rng.pick(['\n', '\r\n', '\n\n', '\n \t\n']);
      const lines = items.map((it) => render(it));
      const parts: Buffer[] = [];
      if (rng.chance(0.05)) parts.push(Buffer.from('\ufeff'));
      lines.forEach((l) => parts.push(l, Buffer.from(eol)));
      if (rng.chance(0.3)) parts.pop();
      return base('ndjson', items, Buffer.concat(parts), { 'content-type': rng.pick(NDJSON_TYPES) });
    }
    if (x < 0.72) {
      // One line is not an event: a JSON scalar or array is a rejected item, garbage a 400.
      const items = this.items(rng.int(1, 6));
      const bad = rng.pick(['[1,2]', '1', 'null', '"x"', '{"event_type": oops}', '{', '}', '[', 'nul\u0000l', '{"a":1}{"b":2}', 'undefined', "{'a':1}"]);
      const at = rng.int(0, items.length);
      const lines = items.map((it) => render(it));
      lines.splice(at, 0, Buffer.from(bad));
      const garbage = !['[1,2]', '1', 'null', '"x"'].includes(bad);
      return base('ndjson-mixed', garbage ? items : [], Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), { 'content-type': 'application/x-ndjson' },
        garbage ? { status: 400 } : { itemsKnown: false });
    }
    if (x < 0.76) {
      const [text, status] = rng.pick<[string, number | undefined]>([['', 400], ['[]', 200], ['{}', 200], ['null', 400], ['1', 400], ['"x"', 400], ['true', 400], ['[[]]', 200], ['[null]', 200],
        ['[1,2]', 200], [' ', 400], ['\ufeff[]', undefined], ['[' , 400], [']', 400], ['[{}]', 200], ['{"a":1}', 200], ['[' .repeat(200_000) + ']'.repeat(200_000), undefined],
        ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), undefined], ['[' + '1,'.repeat(5000) + '1]', 413], ['\u0000', 400], ['[]]', 400], ['[] []', 400]]);
      const nd = rng.chance(0.2);
      return base('top-level', [], Buffer.from(text), { 'content-type': nd ? 'application/x-ndjson' : 'application/json' }, nd ? { itemsKnown: false } : { status, itemsKnown: false });
    }
    if (x < 0.81) {
      // Cut anywhere: usually a 400; a cut in trailing space parses.
      const items = this.items(rng.int(1, 8));
      const whole = json(items);
      return base('truncated', items, whole.subarray(0, rng.int(0, whole.length - 1)), { 'content-type': 'application/json' }, { itemsKnown: false });
    }
    if (x < 0.83) {
      const items = this.items(rng.int(1, 5));
      const b = Buffer.from(json(items));
      for (let i = rng.int(1, 4); i > 0; i--) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      return base('byte-flip', items, b, { 'content-type': 'application/json' }, { itemsKnown: false });
    }
    if (x < 0.86) {
      const items = this.items(rng.int(1, 3));
      const type = rng.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-seq', 'json', '*/*', 'application/octet-stream']);
      return base('content-type', items, json(items), { 'content-type': type }, { status: 415 });
    }
    if (x < 0.88) {
      const items = this.items(rng.int(1, 3));
      // HTTP trims a header value: a trailing space is the right token. The scheme is
      // case-insensitive and 1*SP separates it from the token (RFC 9110 11.4): either answer.
      const [h, status] = rng.pick<[Record<string, string>, number | undefined]>([[{}, 401], [{ authorization: 'Bearer nope' }, 401], [{ authorization: `bearer ${this.o.token}` }, undefined],
        [{ authorization: `Bearer ${this.o.token} ` }, undefined], [{ authorization: `Basic ${this.o.token}` }, 401], [{ authorization: `Bearer ${this.o.token.slice(0, -1)}` }, 401],
        [{ authorization: `Bearer ${this.o.token}x` }, 401], [{ authorization: `Bearer  ${this.o.token}` }, undefined], [{ authorization: 'Bearer ' }, 401]]);
      return { ...base('token', items, json(items), { 'content-type': 'application/json' }, { status }), headers: { 'content-type': 'application/json', ...h } };
    }
    if (x < 0.895) {
      // Over the body limit: refused whole, by the declared length or while reading.
      const items = this.items(1);
      const pad = Buffer.alloc(this.o.maxBody + rng.int(1, 1000), 0x20);
      return base('oversize', items, Buffer.concat([json(items), pad]), { 'content-type': 'application/json' }, { status: 413 });
    }
    if (x < 0.9) {
      const items = this.items(this.o.maxItems + 1);
      // Lines are parsed before they are counted: a line nested too deep is a 400 first.
      return base('too-many', items, Buffer.concat(items.map((it) => Buffer.concat([render(it), Buffer.from('\n')]))), { 'content-type': 'application/x-ndjson' },
        { status: items.some((it) => it.notes.includes('deep-nesting')) ? undefined : 413, itemsKnown: false });
    }
    if (x < 0.93) {
      const items = this.items(rng.int(1, 4));
      const transport = rng.pick(['short-length', 'long-length', 'chunked-cut'] as const);
      return base(transport, items, json(items), { 'content-type': 'application/json' }, { transport, itemsKnown: false });
    }
    if (x < 0.97) {
      const logs = rng.chance(0.5);
      const k = rng.int(1, 5);
      const list: string[] = [];
      for (let i = 0; i < k; i++) list.push(logs ? logItem(rng) : metricItem(rng));
      return { ...base(logs ? 'logs' : 'metrics', [], Buffer.from(`[${list.join(',')}]`), { 'content-type': 'application/json' }), route: logs ? '/v1/logs' : '/v1/metrics' };
    }
    if (x < 0.98) {
      const [method, route, status] = rng.pick<[string, string, number]>([['GET', '/v1/events', 404], ['PUT', '/v1/events', 404], ['DELETE', '/v1/events', 404], ['POST', '/v1/health', 404],
        ['POST', '/v1/events/', 404], ['POST', '//v1/events', 404], ['POST', '/v1/%00', 404], ['GET', '/v1/health?x=1', 200], ['GET', '/metrics', 200], ['POST', '/' + 'a'.repeat(5000), 404]]);
      return { ...base('route', [], Buffer.alloc(0), {}, { status }), method, route };
    }
    // The rest: one ordinary valid-ish array again (keeps the mix weighted to events).
    const items = this.items(rng.int(1, 3));
    return base('json-array', items, json(items), { 'content-type': 'application/json' });
  }
}

// A deep copy that keeps raw numbers (frozen, shared) as they are: structuredClone drops
// them and a JSON round trip turns -0 into 0.
function structuredCloneItem<T>(o: T): T {
  if (Array.isArray(o)) return o.map((x) => structuredCloneItem(x)) as T;
  if (o === null || typeof o !== 'object' || isRaw(o)) return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, structuredCloneItem(v)])) as T;
}

function logItem(rng: Rng): string {
  const o: Record<string, unknown> = { level: rng.pick(['info', 'warn', 'error', 'debug', 'INFO', 'verbose', '']), msg: rng.pick(['hello', 'x'.repeat(10_001), 'nul\u0000', 'lone \ud800', 'token=secret123']) };
  if (rng.chance(0.5)) o.category = rng.pick(['order', 'Order', 'x'.repeat(40), '']);
  if (rng.chance(0.5)) o.time = rng.pick([timestampOk(rng), '2026-11-26T14:30:00+99:00', 'now', 5]);
  if (rng.chance(0.5)) o.fields = rng.pick([{ a: 1 }, { password: 'p', nested: { token: 't' } }, [], 'x', { 'k\u0000': 1 }]);
  let s = JSON.stringify(o);
  if (rng.chance(0.2)) s = s.slice(0, -1) + ',"fields":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}';
  if (rng.chance(0.1)) s = s.slice(0, -1) + `,"fields":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
  return s;
}

function metricItem(rng: Rng): string {
  const o: Record<string, unknown> = { name: rng.pick(['fz_metric', 'fz metric', '', 'x'.repeat(101), '__proto__', 'constructor']) };
  const v = rng.pick(['1', '1.5', '-0', '1e400', '1e308', '1e-400', '"7"', '"abc"', 'true', 'null', '1' + '0'.repeat(400), '0.' + '0'.repeat(400) + '1', '[]']);
  if (rng.chance(0.5)) o.labels = rng.pick([{ a: 'b' }, { a: 1 }, { 'bad label': 'x' }, { __proto__x: 'y' }, []]);
  if (rng.chance(0.3)) o.time = rng.pick([timestampOk(rng), '2026-11-26T14:30:00+99:00', '1969-01-01T00:00:00Z']);
  return JSON.stringify(o).slice(0, -1) + `${Object.keys(o).length ? ',' : ''}"value":${v}}`;
}

function timestampOk(rng: Rng): string {
  return new Date(Date.UTC(2026, 0, 1) + rng.int(0, 1e9) * 1000).toISOString();
}

// ---- sending ----

type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string; error?: string; statuses?: number[] };

const REQUEST_TIMEOUT_MS = 30_000;

function send(agent: http.Agent, host: string, port: number, b: Body): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request({ host, port, path: b.route, method: b.method, agent, headers: { ...b.headers, 'content-length': String(b.body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', error: err.message }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    // The agent may answer (413) and close before the whole body is sent.
    req.on('error', (err) => resolve({ status: 0, headers: {}, text: '', error: err.message }));
    req.end(b.body);
  });
}

// A request written by hand on a socket: a Content-Length shorter than the body (the rest
// reads as a second, malformed request), one longer than what is sent before the client
// closes, or a chunked body cut off. Resolves with every status line the agent wrote.
function sendRaw(host: string, port: number, b: Body, rng: Rng): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ status: statuses[0] ?? 0, headers: {}, text, statuses, ...(error ? { error } : {}) });
    };
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (err) => finish(err.message));
    sock.setTimeout(REQUEST_TIMEOUT_MS, () => finish('timeout'));
    const head = (extra: string) => `POST ${b.route} HTTP/1.1\r\nhost: ${host}\r\n${Object.entries(b.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}${extra}\r\n`;
    sock.on('connect', () => {
      if (b.transport === 'short-length') {
        const declared = rng.int(0, Math.max(0, b.body.length - 1));
        sock.end(Buffer.concat([Buffer.from(head(`content-length: ${declared}\r\nconnection: close\r\n`)), b.body]));
      } else if (b.transport === 'long-length') {
        sock.write(head(`content-length: ${b.body.length + rng.int(1, 5000)}\r\n`));
        sock.write(b.body);
        setTimeout(() => sock.end(), rng.int(0, 50));
      } else {
        sock.write(head('transfer-encoding: chunked\r\n'));
        const cut = rng.int(0, b.body.length);
        sock.write(`${cut.toString(16)}\r\n`);
        sock.write(b.body.subarray(0, cut));
        setTimeout(() => (rng.chance(0.5) ? sock.destroy() : sock.end()), rng.int(0, 50));
      }
    });
  });
}

// ---- the oracle ----

type Row = { key: string; status: string; content: string; expected: string | null; src: string };

function hasUnstorable(s: string): boolean {
  return unstorable(s) !== null;
}

// What the agent parsed from a body, as it does (agent/ingest/http.ts): the items the
// answers are about, to derive the event each accepted item must have become.
function parsedItems(b: Body): unknown[] | null {
  const text = b.body.toString('utf8');
  const type = (b.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  try {
    if (NDJSON_TYPES.includes(type)) return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => parseExact(l));
    const v = parseExact(text);
    return Array.isArray(v) ? v : [v];
  } catch {
    return null;
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const host = o.host ?? '127.0.0.1';
  const gen = new Generator(o);
  const rawRng = new Rng(o.seed ^ 0x5bd1e995);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 6 });
  const violations: string[] = [];
  const violate = (s: string) => {
    if (violations.length < 200) violations.push(s);
    else if (violations.length === 200) violations.push('… more violations not listed');
  };
  const statuses: Record<string, number> = {};
  const totals = { items: 0, accepted: 0, rejected: 0, duplicate: 0, conflict: 0, fiveHundreds: 0 };
  const rows: Row[] = [];
  // The answers go to a table of their own (dropped at the end), written in batches as the
  // run goes, and compared with the ledger in SQL. A plain table, not a temporary one: a
  // pool may hand out another connection.
  const db = o.sql;
  const table = `blotter_fuzz_${process.pid}_${o.seed}`;
  const answers = db(table);
  await db`drop table if exists ${answers}`;
  await db`create unlogged table ${answers} (key text not null, status text not null, content text not null, expected jsonb, src text not null)`;
  let flushing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    const batch = rows.splice(0);
    if (!batch.length) return flushing;
    flushing = flushing.then(() => db`
      insert into ${answers}
      select k, s, c, e::jsonb, src from unnest(${batch.map((r) => r.key)}::text[], ${batch.map((r) => r.status)}::text[], ${batch.map((r) => r.content)}::text[], ${batch.map((r) => r.expected)}::text[], ${batch.map((r) => r.src)}::text[]) as x(k, s, c, e, src)`
      .catch((err: Error) => violate(`the fuzzer could not record ${batch.length} answers: ${err.message}`)));
    return flushing;
  };
  const record = (src: string, key: string | null | undefined, status: string, content: string, expected: string | null = null) => {
    if (typeof key !== 'string' || hasUnstorable(key)) return;
    rows.push({ key, status, content, expected, src });
    if (rows.length >= 5000) void flush();
  };

  const judge = (b: Body, a: Answer) => {
    const tag = `body ${b.id} (${b.kind})`;
    statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    for (const s of a.statuses ?? [a.status]) {
      if (s >= 500 && !(s === 503 && (a.headers['retry-after'] || b.transport !== 'http'))) {
        totals.fiveHundreds++;
        violate(`${tag}: status ${s}: ${a.text.slice(0, 200)}`);
      }
    }
    if (a.error === 'timeout') violate(`${tag}: no answer within ${REQUEST_TIMEOUT_MS} ms`);
    // Refused by size, the agent may answer 413 and close before the body is all written.
    if (b.transport === 'http' && a.status === 0 && b.status !== 413) violate(`${tag}: connection failed: ${a.error}`);
    if (b.status !== undefined && a.status !== 0 && a.status !== b.status && !(a.status === 503 && a.headers['retry-after'])) {
      violate(`${tag}: status ${a.status}, expected ${b.status}: ${a.text.slice(0, 200)}`);
    }
    const answered = b.route === '/v1/events' && b.transport === 'http' && (a.status === 200 || a.status === 202);
    if (!answered) {
      // Refused whole (or never read whole): none of its items may be written.
      b.items.forEach((it, i) => record(`${b.id}:${i}`, it.key, 'refused', it.content));
      return;
    }
    let body: { accepted: number; duplicate: number; conflict: number; rejected: number; items: { index: number; status: string; idempotency_key?: string; field?: string; reason?: string }[] };
    try {
      body = JSON.parse(a.text);
    } catch {
      violate(`${tag}: answer is not JSON: ${a.text.slice(0, 200)}`);
      return;
    }
    const counts = { accepted: 0, duplicate: 0, conflict: 0, rejected: 0 };
    for (const r of body.items) counts[r.status as keyof typeof counts]++;
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) {
      if (counts[k] !== body[k]) violate(`${tag}: summary ${k} ${body[k]} but ${counts[k]} items say so`);
      totals[k] += counts[k];
    }
    totals.items += body.items.length;
    if ((a.status === 202) !== counts.accepted > 0) violate(`${tag}: status ${a.status} with ${counts.accepted} accepted`);
    const parsed = counts.accepted ? parsedItems(b) : null;
    if (counts.accepted && (!parsed || parsed.length !== body.items.length)) violate(`${tag}: ${body.items.length} answers, the body holds ${parsed?.length ?? 'unparsable'} items`);
    const known = b.itemsKnown && body.items.length === b.items.length;
    if (b.itemsKnown && !known) violate(`${tag}: ${body.items.length} answers for ${b.items.length} items`);
    body.items.forEach((r, i) => {
      if (r.index !== i) violate(`${tag}: answer ${i} has index ${r.index}`);
      const it = known ? b.items[i]! : null;
      if (it) {
        if (it.expect === 'accept' && !it.reuse && r.status === 'rejected') violate(`${tag} item ${i} [${it.type} ${it.notes.join(',')}]: rejected, expected accepted: ${r.field}: ${r.reason}`);
        if (it.expect === 'reject' && r.status !== 'rejected') violate(`${tag} item ${i} [${it.type} ${it.notes.join(',')}]: ${r.status}, expected rejected`);
        if (r.status !== 'rejected' && it.key !== null && r.idempotency_key !== it.key) violate(`${tag} item ${i}: answered for key ${r.idempotency_key}, sent ${it.key}`);
      }
      const content = it?.content ?? `unknown-${b.id}-${i}`;
      if (r.status === 'accepted') {
        let expected: string | null = null;
        try {
          const ev = toBotEvent(parsed?.[i]);
          if (ev.idempotencyKey === null) ev.idempotencyKey = r.idempotency_key ?? null;
          if (ev.idempotencyKey !== r.idempotency_key) violate(`${tag} item ${i}: accepted under key ${r.idempotency_key}, the item has ${ev.idempotencyKey}`);
          expected = JSON.stringify({ stream: ev.stream, occurred_at: ev.occurredAt, source: ev.source, event_type: ev.eventType, entity_type: ev.entityType, entity_id: ev.entityId, account: ev.account, actor: ev.actor, session_id: ev.sessionId, payload: parseExact(ev.payload) });
        } catch (err) {
          violate(`${tag} item ${i}: accepted, but the item is not a valid event here: ${(err as Error).message}`);
        }
        record(`${b.id}:${i}`, r.idempotency_key, 'accepted', content, expected);
      } else if (r.status === 'rejected') {
        if (it) record(`${b.id}:${i}`, it.key, 'rejected', content);
      } else {
        record(`${b.id}:${i}`, r.idempotency_key, r.status, content);
      }
    });
  };

  // Bodies are generated in order (the same seed gives the same bodies whatever the
  // timing); up to `concurrency` are in flight.
  let next = 0;
  const every = Math.max(1, Math.floor(o.n / 20));
  const worker = async () => {
    while (next < o.n) {
      const b = gen.body(next++);
      if (b.id % every === 0) o.progress?.(`fuzz: ${b.id}/${o.n} bodies, ${Math.round((Date.now() - started) / 1000)} s`);
      const a = b.transport === 'http' ? await send(agent, host, o.port, b) : await sendRaw(host, o.port, b, rawRng);
      judge(b, a);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 6 }, worker));
  agent.destroy();
  await flush();

  // The writer drains the spool; then the ledger is compared with the answers.
  const health = async (): Promise<{ status: string; spool: { bytes: number }; writer: { rejected: number } } | null> => {
    const a = await send(new http.Agent(), host, o.port, { id: -1, kind: 'health', route: '/v1/health', method: 'GET', headers: { authorization: `Bearer ${o.token}` }, body: Buffer.alloc(0), items: [], transport: 'http', itemsKnown: false });
    try {
      return a.status === 200 ? JSON.parse(a.text) : null;
    } catch {
      return null;
    }
  };
  const drainEnd = Date.now() + (o.drainTimeoutMs ?? 60_000);
  let h = await health();
  while (h && h.spool.bytes > 0 && Date.now() < drainEnd) {
    await new Promise((r) => setTimeout(r, 100));
    h = await health();
  }
  o.progress?.(`fuzz: sent in ${Math.round((Date.now() - started) / 1000)} s; spool ${h?.spool.bytes ?? '?'} bytes left`);
  let crashes = 0;
  if (o.alive && !o.alive()) {
    crashes = 1;
    violate('the agent process exited');
  }
  if (!h) violate('the agent does not answer /v1/health');
  else {
    if (h.spool.bytes > 0) violate(`the spool did not drain: ${h.spool.bytes} bytes left`);
    if (h.writer.rejected > 0) violate(`the writer set ${h.writer.rejected} spooled events aside (spool/rejected.ndjson): accepted, never written`);
    if (h.status !== 'ok') violate(`health is ${h.status}: ${JSON.stringify(h)}`);
  }
  const metrics = await send(new http.Agent(), host, o.port, { id: -1, kind: 'metrics', route: '/metrics', method: 'GET', headers: { authorization: `Bearer ${o.token}` }, body: Buffer.alloc(0), items: [], transport: 'http', itemsKnown: false });
  for (const m of metrics.text.matchAll(/^blotter_ingest_requests_total\{([^}]*status="5\d\d"[^}]*)\} (\d+)/gm)) {
    if (!/status="503"/.test(m[1]!)) violate(`the agent counted ${m[2]} requests answered ${m[1]} (a client may never have seen them)`);
  }

  await db`create index on ${answers} (key)`;
  await db`analyze ${answers}`;
  // Fresh rows have no statistics yet: without them PostgreSQL 15 planned the check below
  // badly (63 s for 5,000 bodies, 7.6 s with them; PostgreSQL 18 was fast either way).
  await db`analyze ledger.events`;
  const ledgerChecks = await db`
    with per_key as (
      select key, count(*) filter (where status = 'accepted') as accepted,
             min(content) filter (where status = 'accepted') as content,
             min(expected::text) filter (where status = 'accepted')::jsonb as expected,
             count(*) filter (where status in ('duplicate', 'conflict')) as answered_known
        from ${answers} group by key),
    in_ledger as (
      select e.idempotency_key as key, count(*) as n,
             min(jsonb_build_object('stream', e.stream, 'occurred_at', e.occurred_at, 'source', e.source, 'event_type', e.event_type, 'entity_type', e.entity_type,
                 'entity_id', e.entity_id, 'account', e.account, 'actor', privacy.reveal(e.actor), 'session_id', e.session_id, 'payload', privacy.reveal_json(e.payload))::text)::jsonb as row
        from ledger.events e join per_key k on k.key = e.idempotency_key group by e.idempotency_key)
    select k.key, k.accepted::int, coalesce(l.n, 0)::int as in_ledger, k.answered_known::int,
           (l.row is not null and k.expected is not null and (l.row - 'occurred_at' - 'payload') = (k.expected - 'occurred_at' - 'payload')
             and l.row -> 'payload' = k.expected -> 'payload'
             and (l.row ->> 'occurred_at')::timestamptz = (k.expected ->> 'occurred_at')::timestamptz) as same,
           l.row::text as row, k.expected::text as expected
      from per_key k left join in_ledger l using (key)
     where k.accepted > 1 or coalesce(l.n, 0) <> k.accepted
        or (k.accepted = 1 and k.expected is not null and not coalesce((l.row - 'occurred_at' - 'payload') = (k.expected - 'occurred_at' - 'payload')
             and l.row -> 'payload' = k.expected -> 'payload'
             and (l.row ->> 'occurred_at')::timestamptz = (k.expected ->> 'occurred_at')::timestamptz, false))
        or (k.accepted = 0 and k.answered_known > 0)
     limit 50`;
  for (const r of ledgerChecks) {
    const key = r.key.length > 80 ? r.key.slice(0, 80) + '…' : r.key;
    if (r.accepted > 1) violate(`key ${key}: answered accepted ${r.accepted} times`);
    else if (r.accepted === 0 && r.in_ledger > 0) violate(`key ${key}: never accepted (rejected or refused), yet ${r.in_ledger} row(s) in the ledger`);
    else if (r.accepted === 0) violate(`key ${key}: answered duplicate/conflict ${r.answered_known} time(s), but no item with it was accepted and it is not in the ledger`);
    else if (r.in_ledger !== 1) violate(`key ${key}: accepted, ${r.in_ledger} rows in the ledger (sent: ${String(r.expected).slice(0, 300)})`);
    else violate(`key ${key}: the ledger row differs from what was accepted: ${String(r.row).slice(0, 300)} vs ${String(r.expected).slice(0, 300)}`);
  }
  // A duplicate is the content the key was accepted with; a conflict is different content.
  const inconsistent = await db`
    select a.key, a.status, a.content, k.content as accepted_content, a.src, k.src as accepted_src
      from ${answers} a join ${answers} k on k.key = a.key and k.status = 'accepted'
     where (a.status = 'duplicate' and a.content <> k.content and a.content not like 'unknown-%' and k.content not like 'unknown-%')
        or (a.status = 'conflict' and a.content = k.content)
     limit 20`;
  for (const r of inconsistent) violate(`key ${r.key}: answered ${r.status} for content ${r.content} (body:item ${r.src}), the key was accepted with ${r.accepted_content} (${r.accepted_src})`);
  const answerRows = (await db`select count(*)::int as n from ${answers}`)[0]!.n as number;
  await db`drop table ${answers}`;

  o.progress?.(`fuzz: ledger compared in ${Math.round((Date.now() - started) / 1000)} s`);
  const reports = await verifyLedger(o.sql);
  const broken = reports.filter((r) => !r.ok);
  for (const r of broken) violate(`chain of stream ${r.stream} broken: ${JSON.stringify(r)}`);

  const ms = Date.now() - started;
  const ok = violations.length === 0;
  const summary = `fuzz: ${o.n} bodies (seed ${o.seed}): ${totals.accepted} accepted items, ${totals.rejected} rejected, ${totals.duplicate} duplicate, ${totals.conflict} conflict, ` +
    `${totals.fiveHundreds} 5xx, ${crashes} crashes, ledger: ` +
    (ok ? `every accepted item once, none rejected, chain intact (${reports.length} streams, ${answerRows} answers checked)` : `${violations.length} violations`) + ` in ${(ms / 1000).toFixed(1)} s`;
  return { bodies: o.n, items: totals.items, accepted: totals.accepted, rejected: totals.rejected, duplicate: totals.duplicate, conflict: totals.conflict, statuses, fiveHundreds: totals.fiveHundreds, crashes, violations, ms, summary };
}

export { TYPES };
