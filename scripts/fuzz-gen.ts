// The fuzzer's generator: a seeded PRNG, valid events of every vocabulary type built from
// the vocabulary's own declarations, and structure-aware mutations of them, each with what
// the API must answer when that is certain (`accept`, `reject`) or `any` when it is not.
// Bodies are bytes: invalid UTF-8, lone surrogates, NUL and 200,000-deep nesting are
// written as text or bytes, never through JSON.stringify of a JS value that cannot hold them.
import { isRaw, raw } from '../agent/ledger/json.ts';
import { VOCABULARY, type EventSpec } from '../agent/ingest/vocabulary.ts';
import type { Field, Fields } from '../agent/ingest/schema.ts';
import { mulberry32 } from './mulberry32.ts';

// mulberry32: small, fast, and the same sequence for the same seed on every machine.
export class Rng {
  private readonly f: () => number;
  constructor(seed: number) {
    this.f = mulberry32(seed);
  }
  // A uint32 (exact: the generator's floats are uint32s over 2^32).
  next(): number {
    return this.f() * 4294967296;
  }
  float(): number {
    return this.next() / 4294967296;
  }
  // lo..hi inclusive
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.float() * a.length)]!;
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
}

export type Expect = 'accept' | 'reject' | 'any';

// One generated item: a JS value (raw numbers as JSON.rawJSON), text to splice in at
// markers (keys JSON.stringify cannot write, such as __proto__, duplicates, deep nesting)
// and bytes to splice in (invalid UTF-8).
export type Item = {
  obj: Record<string, unknown>;
  type: string;
  key: string | null;
  // Items with equal content ids are the same event (duplicates); others differ.
  content: string;
  expect: Expect;
  notes: string[];
  text: Map<string, string>;
  bytes: Map<string, Buffer>;
  // Reused from an earlier item: the key's answer is judged against the other items with it.
  reuse?: 'same' | 'session' | 'different' | 'in-request';
};

let markers = 0;
// A string that renders as `"\u0001<n>\u0001"`, unique: the render step finds and replaces it.
function marker(): string {
  return `\u0001${(markers++).toString(36)}\u0001`;
}
function markerText(m: string): string {
  return JSON.stringify(m);
}

// Item text: JSON.stringify of obj, then each splice of `text` (the whole match replaced)
// and of `bytes` (raw bytes in place of the match).
export function render(item: Item): Buffer {
  let s = JSON.stringify(item.obj);
  for (const [m, t] of item.text) {
    const at = s.indexOf(m);
    if (at >= 0) s = s.slice(0, at) + t + s.slice(at + m.length);
  }
  if (item.bytes.size === 0) return Buffer.from(s);
  const parts: Buffer[] = [];
  let rest = s;
  for (const [m, b] of item.bytes) {
    const at = rest.indexOf(m);
    if (at < 0) continue;
    parts.push(Buffer.from(rest.slice(0, at)), b);
    rest = rest.slice(at + m.length);
  }
  parts.push(Buffer.from(rest));
  return Buffer.concat(parts);
}

// ---- valid values from the vocabulary's declarations ----

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'HKD'];
const TEXT_ALPHABET = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789  _-.:/,;\'"\\\t\n\r%$&*()[]{}<>éüßЖ中文€', '😀', '\u2028', '\u00a0'];

function randomText(rng: Rng, max: number): string {
  const n = rng.int(1, Math.min(max, 24));
  let s = '';
  while (s.length < n) {
    const c = rng.pick(TEXT_ALPHABET);
    if (s.length + c.length > max) break;
    s += c;
  }
  return s || 'x';
}

function digits(rng: Rng, n: number, leadingNonZero = true): string {
  let s = leadingNonZero ? String(rng.int(1, 9)) : String(rng.int(0, 9));
  while (s.length < n) s += String(rng.int(0, 9));
  return s;
}

function decimalText(rng: Rng, sign: 'positive' | 'nonnegative' | 'any'): string {
  const intPart = rng.chance(0.2) ? '0' : digits(rng, rng.int(1, 7));
  const frac = rng.chance(0.5) ? '' : '.' + digits(rng, rng.int(1, 8), false);
  let t = intPart + frac;
  if (sign === 'positive' && /^0(\.0+)?$/.test(t)) t = '1' + frac;
  if (sign === 'any' && rng.chance(0.3)) t = '-' + t;
  return t;
}

export function timestamp(rng: Rng): string {
  const base = Date.UTC(2026, 0, 1) + rng.int(0, 365 * 24 * 3600) * 1000;
  const iso = new Date(base).toISOString().slice(0, 19);
  const frac = rng.pick(['', '.' + digits(rng, 3, false), '.' + digits(rng, 6, false)]);
  const off = rng.pick(['Z', 'Z', '+00:00', '-05:00', '+05:30', '+0100', 'z']);
  return `${rng.chance(0.1) ? iso.replace('T', ' ') : iso}${frac}${off}`;
}

function date(rng: Rng): string {
  return new Date(Date.UTC(2026, 0, 1) + rng.int(0, 364) * 86_400_000).toISOString().slice(0, 10);
}

function jsonValue(rng: Rng, depth = 0): unknown {
  const k = rng.int(0, depth > 2 ? 4 : 6);
  switch (k) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.chance(0.5) ? rng.int(-1e6, 1e6) : raw(decimalText(rng, 'any'));
    case 3: return randomText(rng, 40);
    case 4: return rng.pick([raw('1e300'), raw('-0'), raw('0.000000000000000000000000000000000001'), raw('123456789012345678901234567890')]);
    case 5: return Array.from({ length: rng.int(0, 3) }, () => jsonValue(rng, depth + 1));
    default: return mapValue(rng, depth + 1);
  }
}

function mapValue(rng: Rng, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = rng.int(0, 4); i > 0; i--) o[randomText(rng, 12)] = jsonValue(rng, depth);
  return o;
}

export function valueFor(rng: Rng, f: Field): unknown {
  switch (f.t) {
    case 'string':
      if (f.pattern?.source.includes('A-Z')) return rng.pick(CURRENCIES);
      if (f.pattern) return rng.pick(['202612', '20261218', '20270115']);
      return randomText(rng, f.max ?? 2000);
    case 'id': return rng.chance(0.2) ? rng.int(0, 1e9) : `${randomText(rng, 8).replace(/\s/g, '')}-${rng.int(0, 1e6)}`;
    case 'decimal': {
      const t = decimalText(rng, f.sign ?? 'any');
      return rng.chance(0.3) ? raw(t) : t;
    }
    case 'int': return rng.int(f.min ?? -1000, 2_000_000);
    case 'bigint': {
      const t = digits(rng, rng.int(1, 18));
      return rng.chance(0.5) ? t : raw(t);
    }
    case 'bool': return rng.chance(0.5);
    case 'timestamp': return timestamp(rng);
    case 'date': return date(rng);
    case 'enum': return rng.pick(f.values);
    case 'json': return jsonValue(rng);
    case 'map': return mapValue(rng);
    case 'array': return Array.from({ length: rng.int(0, 3) }, () => valueFor(rng, f.of));
    case 'object': return objectFor(rng, f.fields);
  }
}

function objectFor(rng: Rng, fields: Fields): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fields)) {
    if (f.optional && rng.chance(0.5)) {
      if (rng.chance(0.1)) o[k] = null;
      continue;
    }
    o[k] = valueFor(rng, f);
  }
  return o;
}

// The cross-field rules of vocabulary.ts, satisfied.
function satisfyRules(rng: Rng, type: string, p: Record<string, unknown>): void {
  const fields = VOCABULARY[type]!.fields;
  if (type === 'order_submitted') {
    const t = p.order_type as string;
    if (['LMT', 'STP LMT', 'LOC', 'LOO', 'LIT', 'TRAIL LIMIT'].includes(t) && p.limit_price == null) p.limit_price = valueFor(rng, fields.limit_price!);
    if (['STP', 'STP LMT', 'MIT', 'LIT'].includes(t) && p.stop_price == null) p.stop_price = valueFor(rng, fields.stop_price!);
    if (p.tif === 'GTD' && p.good_till == null) p.good_till = timestamp(rng);
  } else if (type === 'order_modified') {
    if (p.quantity == null && p.limit_price == null && p.stop_price == null && p.tif == null) p.quantity = valueFor(rng, fields.quantity!);
  } else if (type === 'cash_flow') {
    const magnitude = `${rng.int(1, 99999)}.${digits(rng, 2, false)}`;
    const negative = p.kind === 'withdrawal' || (p.kind !== 'deposit' && rng.chance(0.4));
    p.amount = (negative ? '-' : '') + magnitude;
  }
}

export const TYPES = Object.keys(VOCABULARY);

export function validItem(rng: Rng, key: string, content: string, type = rng.pick(TYPES)): Item {
  const spec: EventSpec = VOCABULARY[type]!;
  const payload = objectFor(rng, spec.fields);
  satisfyRules(rng, type, payload);
  const obj: Record<string, unknown> = { event_type: type, occurred_at: timestamp(rng), idempotency_key: key };
  if (spec.needsAccount || rng.chance(0.2)) obj.account = `DU${digits(rng, 7)}`;
  if (spec.needsActor || rng.chance(0.2)) obj.actor = rng.pick(['alice', 'ops', 'strategy:momo', 'Jürgen']);
  if (rng.chance(0.3)) obj.session_id = `s-${rng.int(1, 5)}`;
  if (rng.chance(0.1)) obj.stream = rng.pick(['bot', 'fuzz-a', 'fuzz b', 'fuzz-ü']);
  if (rng.chance(0.15)) obj.source = rng.pick(['bot', 'user', 'system']);
  obj.payload = payload;
  return { obj, type, key, content, expect: 'accept', notes: [], text: new Map(), bytes: new Map() };
}

// ---- mutation sites: every typed place in an item ----

type Site = { holder: Record<string, unknown> | unknown[]; key: string | number; field: Field; envelope?: boolean; required: boolean };

const ENVELOPE_FIELDS: Record<string, Field> = {
  event_type: { t: 'enum', values: TYPES, doc: '' },
  occurred_at: { t: 'timestamp', doc: '' },
  account: { t: 'string', max: 1000, doc: '' },
  actor: { t: 'string', max: 1000, doc: '' },
  session_id: { t: 'string', max: 1000, doc: '' },
  stream: { t: 'string', max: 1000, doc: '' },
  source: { t: 'enum', values: ['bot', 'user', 'system'], doc: '' },
};

function sites(item: Item): { fields: Site[]; objects: Record<string, unknown>[] } {
  const out: Site[] = [];
  const objects: Record<string, unknown>[] = [item.obj];
  const spec = VOCABULARY[item.type]!;
  for (const [k, f] of Object.entries(ENVELOPE_FIELDS)) {
    if (k in item.obj) out.push({ holder: item.obj, key: k, field: f, envelope: true, required: k === 'event_type' || k === 'occurred_at' || (k === 'account' && !!spec.needsAccount) || (k === 'actor' && !!spec.needsActor) });
  }
  const walk = (holder: Record<string, unknown>, fields: Fields) => {
    objects.push(holder);
    for (const [k, f] of Object.entries(fields)) {
      const v = holder[k];
      if (v === undefined || v === null) continue;
      out.push({ holder, key: k, field: f, required: !f.optional });
      if (f.t === 'object' && typeof v === 'object') walk(v as Record<string, unknown>, f.fields);
      if (f.t === 'array' && Array.isArray(v)) {
        v.forEach((x, i) => {
          out.push({ holder: v, key: i, field: f.of, required: true });
          if (f.of.t === 'object' && x && typeof x === 'object') walk(x as Record<string, unknown>, f.of.fields);
        });
      }
    }
  };
  const p = item.obj.payload;
  if (p && typeof p === 'object' && !Array.isArray(p)) walk(p as Record<string, unknown>, spec.fields);
  return { fields: out, objects };
}

function setAt(s: Site, v: unknown): void {
  (s.holder as Record<string | number, unknown>)[s.key] = v;
}
// A JS object a mutation may add keys to (not a raw number, an array or a marker string).
function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !isRaw(v);
}
function getAt(s: Site): unknown {
  return (s.holder as Record<string | number, unknown>)[s.key];
}

// What the documented decimal contract says: digits, optional sign and fraction, at most
// 38 integer and 20 fraction digits, no exponent; strings are trimmed.
export function decimalOk(text: string, sign: 'positive' | 'nonnegative' | 'any' | undefined): boolean {
  if (!/^-?(?:0|[1-9]\d{0,37})(?:\.\d{1,20})?$/.test(text)) return false;
  const zero = /^-?0(\.0+)?$/.test(text);
  if (sign === 'positive') return !text.startsWith('-') && !zero;
  if (sign === 'nonnegative') return !text.startsWith('-') || zero;
  return true;
}

const WEIRD_NUMBERS = ['1e400', '-1e400', '1E2', '1e-5', '-0', '-0.0', '0.' + '0'.repeat(39) + '1', '1'.repeat(40), '1'.repeat(38), '9'.repeat(38) + '.' + '9'.repeat(20),
  '9'.repeat(38) + '.' + '9'.repeat(21), '0.1', '100', '-1', '1.0', '123456789012345678901234567890.12345', '1e1000', '1e1001', '1e-1000', '0e0', '-0e-0', '5e-324', '1.7976931348623157e309',
  '9007199254740993', '18446744073709551616', '-9223372036854775809', '9223372036854775807'];
const WEIRD_STRINGS = ['', ' ', ' 5 ', '+5', '5.', '.5', '0x1F', '1,5', '١٢٣', 'NaN', 'Infinity', '-', '1_000', '00.5', '1e400', '\t7\n', '12abc', '0.00', '-0'];

// Weights: how often each mutation is picked for an item that gets mutated.
type Mutation = (rng: Rng, item: Item) => Expect | null;

const WRONG_VALUES: Record<Field['t'], unknown[]> = {
  string: [true, [], {}, 12, raw('1.5')],
  enum: [true, [], {}, 12],
  timestamp: [true, [], {}, 1764167400, raw('1764167400.5')],
  date: [true, [], {}, 20261126],
  id: [true, [], {}, raw('1.5'), -3, raw('1e3')],
  decimal: [true, [], {}, false],
  int: ['12', true, [], {}, raw('1.5'), raw('1e3'), '0x10'],
  bigint: [true, [], {}, raw('1.5'), 'twelve'],
  bool: ['true', 1, 0, [], {}, 'false'],
  object: ['x', 1, [], true],
  array: ['x', 1, {}, true],
  map: ['x', 1, [], true],
  json: [],
};

function fieldSite(rng: Rng, item: Item, filter: (s: Site) => boolean): Site | null {
  const all = sites(item).fields.filter(filter);
  return all.length ? rng.pick(all) : null;
}

// Splice `"key":value` into `holder` at render time: keys JSON.stringify cannot write
// (__proto__ set on a JS object changes its prototype; a duplicate key cannot exist).
function injectKey(holder: Record<string, unknown>, item: Item, keyText: string, valueText: string): void {
  const m = marker();
  holder[m] = 0;
  item.text.set(`${markerText(m)}:0`, `${JSON.stringify(keyText)}:${valueText}`);
}

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype', 'length', 'extra'];

function nest(rng: Rng, depth: number): string {
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

export const MUTATIONS: Record<string, Mutation> = {
  'drop-required': (rng, item) => {
    const choices = [...sites(item).fields.filter((s) => s.required && !Array.isArray(s.holder)).map((s) => () => delete (s.holder as Record<string, unknown>)[s.key as string]), () => delete item.obj.payload];
    rng.pick(choices)();
    return 'reject';
  },
  'unknown-field': (rng, item) => {
    const { objects } = sites(item);
    const k = rng.pick(PROTO_KEYS);
    injectKey(rng.pick(objects), item, k, rng.pick(['1', 'null', '{"polluted":true}', '"x"', '[]', '{"prototype":{"polluted":true}}']));
    item.notes.push(`key ${k}`);
    return 'reject';
  },
  'proto-in-map': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'map' && isPlain(getAt(s)));
    if (!s) return null;
    injectKey(getAt(s) as Record<string, unknown>, item, rng.pick(PROTO_KEYS), rng.pick(['{"polluted":true}', '1', 'null', '{"prototype":{"x":1}}']));
    return 'accept';
  },
  'wrong-type': (rng, item) => {
    const s = fieldSite(rng, item, (s) => WRONG_VALUES[s.field.t].length > 0);
    if (!s) return null;
    setAt(s, rng.pick(WRONG_VALUES[s.field.t]));
    item.notes.push(`wrong type at ${String(s.key)}`);
    return 'reject';
  },
  'null-value': (rng, item) => {
    const s = fieldSite(rng, item, (s) => !Array.isArray(s.holder));
    if (!s) return null;
    setAt(s, null);
    return s.required ? 'reject' : 'accept';
  },
  'wrong-enum': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'enum');
    if (!s || s.field.t !== 'enum') return null;
    const values = s.field.values;
    const v = rng.pick(['', 'buy', 'BUY ', ' BUY', 'HOLD', 'Buy', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'ORDER_SUBMITTED', 'ib_execution', 'lmt', 'STK\u0000']);
    if (values.includes(v)) return null;
    setAt(s, v);
    return 'reject';
  },
  'decimal-as-number': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'decimal' && typeof getAt(s) === 'string' && /^-?(0|[1-9]\d*)(\.\d+)?$/.test(getAt(s) as string));
    if (!s) return null;
    setAt(s, raw(getAt(s) as string));
    return 'accept';
  },
  'int-as-string': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'int');
    if (!s) return null;
    const v = getAt(s);
    setAt(s, typeof v === 'number' ? String(v) : JSON.stringify(v));
    return 'reject';
  },
  'bigint-as-string': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'bigint');
    if (!s) return null;
    const v = getAt(s);
    if (typeof v === 'string' && !/^-?\d+$/.test(v)) return null;
    setAt(s, typeof v === 'string' ? raw(v) : isRaw(v) ? v.rawJSON : String(v));
    return 'accept';
  },
  'weird-number': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'decimal' || s.field.t === 'int' || s.field.t === 'map' || s.field.t === 'json');
    if (!s) return null;
    const f = s.field;
    if (f.t === 'map' || f.t === 'json') {
      const t = rng.pick(WEIRD_NUMBERS);
      const m = getAt(s);
      if (f.t === 'map' && isPlain(m)) m.n = raw(t);
      else setAt(s, raw(t));
      const ok = !/e[+-]?\d{4}/i.test(t) || /e-?1000$/.test(t);
      return ok ? 'accept' : 'reject';
    }
    if (f.t === 'int') {
      const t = rng.pick(WEIRD_NUMBERS);
      setAt(s, raw(t));
      return /^-?\d+$/.test(t) && Number.isSafeInteger(Number(t)) && (f.min === undefined || Number(t) >= f.min) ? 'accept' : 'reject';
    }
    if (f.t !== 'decimal') return null;
    if (rng.chance(0.5)) {
      const t = rng.pick(WEIRD_NUMBERS);
      setAt(s, raw(t));
      return decimalOk(t, f.sign) ? 'accept' : 'reject';
    }
    const t = rng.pick([...WEIRD_STRINGS, ...WEIRD_NUMBERS]);
    setAt(s, t);
    return decimalOk(t.trim(), f.sign) ? 'accept' : 'reject';
  },
  'long-string': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'string' || s.field.t === 'id' || s.key === 'idempotency_key');
    if (!s) return null;
    const max = s.field.t === 'string' ? s.field.max ?? 2000 : 200;
    if (s.field.t === 'id' && rng.chance(0.3)) {
      // An id may be an integer: its digits are taken as they are.
      const n = rng.pick([16, 200, 201, 1000, 5000]);
      setAt(s, raw(digits(rng, n)));
      return n <= 200 ? 'accept' : 'reject';
    }
    if (s.field.t === 'string' && s.field.pattern) return null;
    const n = rng.pick([max, max + 1, max * 5, 100_000]);
    const ch = rng.pick(['a', 'é', '€', '😀']);
    const v = ch.repeat(Math.ceil(n / ch.length)).slice(0, n);
    setAt(s, v.isWellFormed() ? v : v.slice(0, -1));
    const got = getAt(s) as string;
    // Envelope text is limited in UTF-8 bytes (the stream to 200), payload text in characters.
    if (s.envelope) return Buffer.byteLength(got) <= (s.key === 'stream' ? 200 : 1000) ? 'accept' : 'reject';
    return got.length <= max ? 'accept' : 'reject';
  },
  'nul': (rng, item) => {
    const s = fieldSite(rng, item, (s) => typeof getAt(s) === 'string' || (s.field.t === 'map' && isPlain(getAt(s))));
    if (!s) return null;
    const v = getAt(s);
    if (typeof v === 'string') setAt(s, v.slice(0, 1) + '\u0000' + v.slice(1));
    else (v as Record<string, unknown>)[rng.chance(0.5) ? 'k\u0000' : 'k'] = 'v\u0000';
    return 'reject';
  },
  'surrogate': (rng, item) => {
    const s = fieldSite(rng, item, (s) => typeof getAt(s) === 'string' && !(s.field.t === 'string' && s.field.pattern) && s.field.t !== 'enum' && s.field.t !== 'timestamp' && s.field.t !== 'date');
    if (!s) return null;
    const lone = rng.chance(0.7);
    setAt(s, [...(getAt(s) as string)].slice(0, 5).join('') + (lone ? rng.pick(['\ud800', '\udfff', '\udc00x']) : '\ud83d\ude00'));
    return lone ? 'reject' : 'any';
  },
  'invalid-utf8': (rng, item) => {
    const s = fieldSite(rng, item, (s) => typeof getAt(s) === 'string');
    if (!s) return null;
    const m = marker();
    setAt(s, (getAt(s) as string) + m);
    const b = rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xfe, 0xfe, 0xff]]);
    item.bytes.set(markerText(m).slice(1, -1), Buffer.from(b));
    return 'any';
  },
  'dup-key': (rng, item) => {
    const s = fieldSite(rng, item, (s) => !Array.isArray(s.holder) && s.key !== 'idempotency_key');
    if (!s) return null;
    const same = rng.chance(0.5);
    const value = same ? JSON.stringify(getAt(s)) : JSON.stringify(rng.pick(WRONG_VALUES[s.field.t].length ? WRONG_VALUES[s.field.t] : [1]));
    injectKey(s.holder as Record<string, unknown>, item, s.key as string, value);
    // JSON.parse keeps the last: a wrong one last refuses the item, the same one is a no-op.
    return same ? 'accept' : s.field.t === 'json' ? 'accept' : 'reject';
  },
  'deep-nesting': (rng, item) => {
    const depth = rng.pick([5, 60, 64, 65, 66, 100, 5000, 200_000]);
    const s = fieldSite(rng, item, (s) => s.field.t === 'map' || s.field.t === 'json');
    const m = marker();
    if (!s || rng.chance(0.3)) {
      item.obj.payload = m;
      item.text.set(markerText(m), nest(rng, depth));
      return 'reject';
    }
    setAt(s, m);
    const text = nest(rng, depth);
    item.text.set(markerText(m), s.field.t === 'map' && text.startsWith('[') ? `{"x":${text}}` : text);
    if (s.field.t === 'map' && text.startsWith('[')) return depth <= 60 ? 'accept' : depth >= 70 ? 'reject' : 'any';
    return depth <= 60 ? 'accept' : depth >= 70 ? 'reject' : 'any';
  },
  'timestamp': (rng, item) => {
    const s = fieldSite(rng, item, (s) => s.field.t === 'timestamp' || s.field.t === 'date');
    if (!s) return null;
    if (s.field.t === 'date') {
      const [v, e] = rng.pick<[string, Expect]>([['2024-02-29', 'accept'], ['2026-02-29', 'reject'], ['0001-01-01', 'accept'], ['9999-12-31', 'accept'], ['10000-01-01', 'reject'],
        ['2026-1-1', 'reject'], ['0000-01-01', 'reject'], ['2026-11-26T00:00:00Z', 'reject'], ['', 'reject']]);
      setAt(s, v);
      return e;
    }
    const [v, e] = rng.pick<[unknown, Expect]>([
      ['2026-11-26T14:30:00Z', 'accept'], ['2026-11-26 14:30:00+01:00', 'accept'], ['2026-11-26t14:30:00z', 'accept'], ['2026-11-26T14:30:00.123456+0530', 'accept'],
      ['1970-01-01T00:00:00Z', 'accept'], ['9999-12-31T23:59:59Z', 'accept'], ['2024-02-29T12:00:00Z', 'accept'], ['9999-12-31T23:59:59-14:00', 'accept'],
      ['2026-11-26T14:30:00+14:00', 'accept'], ['2026-11-26T14:30:00+15:59', 'accept'],
      ['2026-11-26T14:30:00+16:00', 'reject'], ['2026-11-26T14:30:00+99:99', 'reject'], ['2026-11-26T14:30:00+05:60', 'reject'], ['2026-11-26T14:30:00-2400', 'reject'],
      ['2026-02-29T00:00:00Z', 'reject'], ['2026-13-01T00:00:00Z', 'reject'], ['2026-11-26T24:00:00Z', 'reject'], ['2026-11-26T14:60:00Z', 'reject'],
      ['2026-11-26T14:30:60Z', 'reject'], ['2026-11-26T14:30:00', 'reject'], ['2026-11-26T14:30:00.1234567Z', 'reject'], ['1969-12-31T23:59:59Z', 'reject'],
      ['0000-01-01T00:00:00Z', 'reject'], ['+275760-09-13T00:00:00Z', 'reject'], ['2026-11-26', 'reject'], ['', 'reject'], ['now', 'reject'], ['infinity', 'reject'],
      [1764167400, 'reject'], ['2026-11-26T14:30:00Z ', 'reject'], ['2026-11-26T14:30:00ZZ', 'reject']]);
    setAt(s, v);
    return e;
  },
  'drop-key': (_rng, item) => {
    delete item.obj.idempotency_key;
    item.key = null;
    return 'accept';
  },
  'weird-key': (rng, item) => {
    const [suffix, e] = rng.pick<[string, Expect]>([[':' + 'k'.repeat(900), 'accept'], [':' + 'k'.repeat(1000), 'reject'], [':\n\t\\"\'%_*', 'accept'], [':ü€😀', 'accept'],
      [':\u0000', 'reject'], [':\ud800', 'reject'], [' ', 'accept'], [':' + '€'.repeat(300), 'accept'], [':' + '€'.repeat(400), 'reject'], [':' + '😀'.repeat(300), 'reject']]);
    item.key = `${item.key}${suffix}`;
    item.obj.idempotency_key = item.key;
    if (rng.chance(0.2)) {
      item.obj.idempotency_key = rng.pick(['', 42, true, [], {}]);
      item.key = null;
      return 'reject';
    }
    return e;
  },
};
