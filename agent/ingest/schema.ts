// A small schema language for the bot's event payloads: one declaration per event type
// gives the strict validator, the JSON Schema files and docs/events.md, so the three
// cannot drift apart. Decimals are taken from decimal strings or from JSON numbers by
// their source text (never through a double), and stored as decimal strings.
import { isRaw } from '../ledger/json.ts';

export type Field =
  | { t: 'string'; max?: number; pattern?: RegExp; patternText?: string; doc: string; optional?: boolean; example?: unknown }
  | { t: 'id'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'decimal'; sign?: 'positive' | 'nonnegative' | 'any'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'int'; min?: number; doc: string; optional?: boolean; example?: unknown }
  | { t: 'bigint'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'bool'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'timestamp'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'enum'; values: readonly string[]; doc: string; optional?: boolean; example?: unknown }
  | { t: 'json'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'object'; fields: Fields; doc: string; optional?: boolean; example?: unknown }
  | { t: 'map'; doc: string; optional?: boolean; example?: unknown }
  | { t: 'array'; of: Field; max?: number; doc: string; optional?: boolean; example?: unknown };
export type Fields = Record<string, Field>;

export class PayloadError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
  }
}

const DECIMAL = /^-?(?:0|[1-9]\d{0,37})(?:\.\d{1,20})?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/i;
const MAX_TEXT = 2000;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isRaw(v)) return 'number';
  return typeof v;
}

function decimal(path: string, f: Extract<Field, { t: 'decimal' }>, v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = v.trim();
  else if (isRaw(v)) text = v.rawJSON;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) text = String(v);
  else throw new PayloadError(path, `must be a decimal (string or number), got ${typeName(v)}`);
  if (!DECIMAL.test(text)) throw new PayloadError(path, `"${text}" is not a plain decimal (digits, optional sign and fraction, no exponent)`);
  if (f.sign === 'positive' && (text.startsWith('-') || /^-?0(\.0+)?$/.test(text))) throw new PayloadError(path, `must be greater than zero, got ${text}`);
  if (f.sign === 'nonnegative' && text.startsWith('-') && !/^-0(\.0+)?$/.test(text)) throw new PayloadError(path, `must not be negative, got ${text}`);
  return text;
}

// Validate `v` against `f`; returns the value to store (decimals as strings).
export function check(path: string, f: Field, v: unknown): unknown {
  switch (f.t) {
    case 'string': {
      if (typeof v !== 'string') throw new PayloadError(path, `must be a string, got ${typeName(v)}`);
      if (v === '') throw new PayloadError(path, 'must not be empty');
      if (v.length > (f.max ?? MAX_TEXT)) throw new PayloadError(path, `is longer than ${f.max ?? MAX_TEXT} characters`);
      if (v.includes('\u0000')) throw new PayloadError(path, 'must not contain NUL characters');
      if (f.pattern && !f.pattern.test(v)) throw new PayloadError(path, `"${v}" does not match ${f.patternText ?? f.pattern.source}`);
      return v;
    }
    case 'id': {
      if (isRaw(v) && /^\d+$/.test(v.rawJSON)) return v.rawJSON;
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
      if (typeof v !== 'string' || v === '' || v.length > 200 || v.includes('\u0000')) throw new PayloadError(path, 'must be a non-empty string (or an integer) of at most 200 characters');
      return v;
    }
    case 'decimal':
      return decimal(path, f, v);
    case 'int': {
      const text = isRaw(v) ? v.rawJSON : typeof v === 'number' ? String(v) : '';
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new PayloadError(path, `must be an integer, got ${text || typeName(v)}`);
      const n = Number(text);
      if (f.min !== undefined && n < f.min) throw new PayloadError(path, `must be at least ${f.min}, got ${n}`);
      return n;
    }
    case 'bigint': {
      const text = isRaw(v) ? v.rawJSON : typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : '';
      if (!/^-?\d{1,19}$/.test(text) || BigInt(text) > 9223372036854775807n || BigInt(text) < -9223372036854775808n) throw new PayloadError(path, 'must be a 64-bit integer (number or string)');
      return text;
    }
    case 'bool':
      if (typeof v !== 'boolean') throw new PayloadError(path, `must be true or false, got ${typeName(v)}`);
      return v;
    case 'timestamp':
      if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v.replace(' ', 'T')))) throw new PayloadError(path, 'must be an RFC 3339 timestamp with an offset');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !f.values.includes(v)) throw new PayloadError(path, `must be one of ${f.values.join(', ')}`);
      return v;
    case 'json':
      return v;
    case 'map':
      if (v === null || typeof v !== 'object' || Array.isArray(v) || isRaw(v)) throw new PayloadError(path, `must be an object, got ${typeName(v)}`);
      return v;
    case 'array': {
      if (!Array.isArray(v)) throw new PayloadError(path, `must be an array, got ${typeName(v)}`);
      if (v.length > (f.max ?? 10_000)) throw new PayloadError(path, `has more than ${f.max ?? 10_000} items`);
      return v.map((x, i) => check(`${path}[${i}]`, f.of, x));
    }
    case 'object':
      return checkObject(path, f.fields, v);
  }
}

// Object.entries of each declaration, made once: the validator runs for every event.
const ENTRIES = new WeakMap<Fields, [string, Field][]>();
function entries(fields: Fields): [string, Field][] {
  let e = ENTRIES.get(fields);
  if (!e) ENTRIES.set(fields, (e = Object.entries(fields)));
  return e;
}

export function checkObject(path: string, fields: Fields, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isRaw(v)) throw new PayloadError(path, `must be an object, got ${typeName(v)}`);
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    if (!Object.hasOwn(fields, key)) throw new PayloadError(`${path}.${key}`, 'is not a known field');
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of entries(fields)) {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!f.optional) throw new PayloadError(`${path}.${key}`, 'is required');
      if (value === null) out[key] = null;
      continue;
    }
    out[key] = check(`${path}.${key}`, f, value);
  }
  return out;
}

// JSON Schema (draft 2020-12) of a field.
export function jsonSchema(f: Field): Record<string, unknown> {
  const base: Record<string, unknown> = { description: f.doc };
  switch (f.t) {
    case 'string': return { ...base, type: 'string', minLength: 1, maxLength: f.max ?? MAX_TEXT, ...(f.pattern ? { pattern: f.pattern.source } : {}) };
    case 'id': return { ...base, type: ['string', 'integer'] };
    case 'decimal': return { ...base, type: ['string', 'number'], pattern: DECIMAL.source, ...(f.sign && f.sign !== 'any' ? { 'x-sign': f.sign } : {}) };
    case 'int': return { ...base, type: 'integer', ...(f.min !== undefined ? { minimum: f.min } : {}) };
    case 'bigint': return { ...base, type: ['string', 'integer'], pattern: '^-?\\d{1,19}$' };
    case 'bool': return { ...base, type: 'boolean' };
    case 'timestamp': return { ...base, type: 'string', format: 'date-time' };
    case 'enum': return { ...base, enum: [...f.values] };
    case 'json': return { ...base };
    case 'map': return { ...base, type: 'object' };
    case 'array': return { ...base, type: 'array', items: jsonSchema(f.of), maxItems: f.max ?? 10_000 };
    case 'object': return { ...base, ...objectSchema(f.fields) };
  }
}

export function objectSchema(fields: Fields): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.entries(fields).filter(([, f]) => !f.optional).map(([k]) => k),
    properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, jsonSchema(f)])),
  };
}

export function typeLabel(f: Field): string {
  switch (f.t) {
    case 'enum': return f.values.join(' \\| ');
    case 'array': return `array of ${typeLabel(f.of)}`;
    case 'decimal': return f.sign === 'positive' ? 'decimal > 0' : f.sign === 'nonnegative' ? 'decimal ≥ 0' : 'decimal';
    case 'bigint': return 'int64';
    default: return f.t;
  }
}
