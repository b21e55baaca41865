// A small schema language for the bot's event payloads: one declaration per event type
// gives the strict validator, the JSON Schema files and docs/events.md, so the three
// cannot drift apart. Decimals are taken from decimal strings or from JSON numbers by
// their source text (never through a double), and stored as decimal strings.
import { checkTimestamp, EventValidationError } from "../ledger/event.js";
import { isRaw } from "../ledger/json.js";
import { checkStorable, Problems, unstorable } from "../ledger/storable.js";
export { Problems };
const DECIMAL = /^-?(?:0|[1-9]\d{0,37})(?:\.\d{1,20})?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_TEXT = 2000;
// A calendar day that exists (no Feb 30, no year 0), as PostgreSQL's date takes it.
function isDate(v) {
    const m = DATE.exec(v);
    if (!m || m[1] === '0000')
        return false;
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
function typeName(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'array';
    if (isRaw(v))
        return 'number';
    return typeof v;
}
function decimal(path, f, v, p) {
    let text;
    if (typeof v === 'string')
        text = v.trim();
    else if (isRaw(v))
        text = v.rawJSON;
    else if (typeof v === 'number' && Number.isSafeInteger(v))
        text = String(v);
    else
        return void p.add(path, `must be a decimal (string or number), got ${typeName(v)}`);
    if (!DECIMAL.test(text))
        return void p.add(path, `"${text.length > 60 ? text.slice(0, 60) + '…' : text}" is not a plain decimal (digits, optional sign and fraction, no exponent)`);
    if (f.sign === 'positive' && (text.startsWith('-') || /^-?0(\.0+)?$/.test(text)))
        return void p.add(path, `must be greater than zero, got ${text}`);
    if (f.sign === 'nonnegative' && text.startsWith('-') && !/^-0(\.0+)?$/.test(text))
        return void p.add(path, `must not be negative, got ${text}`);
    return text;
}
function shown(v) {
    return v.length > 60 ? v.slice(0, 60) + '…' : v;
}
// Validate `v` against `f`; returns the value to store (decimals as strings), or undefined
// after adding the problem(s) to `p`.
export function check(path, f, v, p) {
    switch (f.t) {
        case 'string': {
            if (typeof v !== 'string')
                return p.add(path, `must be a string, got ${typeName(v)}`);
            if (v === '')
                return p.add(path, 'must not be empty');
            if (v.length > (f.max ?? MAX_TEXT))
                return p.add(path, `is longer than ${f.max ?? MAX_TEXT} characters`);
            const why = unstorable(v);
            if (why)
                return p.add(path, why);
            if (f.pattern && !f.pattern.test(v))
                return p.add(path, `"${shown(v)}" does not match ${f.patternText ?? f.pattern.source}`);
            return v;
        }
        case 'id': {
            // An integer id is held to the length of a string one: ids are indexed columns.
            if (isRaw(v) && /^\d{1,200}$/.test(v.rawJSON))
                return v.rawJSON;
            if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
                return String(v);
            if (typeof v !== 'string' || v === '' || v.length > 200)
                return p.add(path, 'must be a non-empty string (or an integer) of at most 200 characters');
            const why = unstorable(v);
            if (why)
                return p.add(path, why);
            return v;
        }
        case 'decimal':
            return decimal(path, f, v, p);
        case 'int': {
            const text = isRaw(v) ? v.rawJSON : typeof v === 'number' ? String(v) : '';
            if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
                return p.add(path, `must be an integer, got ${text ? shown(text) : typeName(v)}`);
            const n = Number(text);
            if (f.min !== undefined && n < f.min)
                return p.add(path, `must be at least ${f.min}, got ${n}`);
            return n;
        }
        case 'bigint': {
            const text = isRaw(v) ? v.rawJSON : typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : '';
            if (!/^-?\d{1,19}$/.test(text) || BigInt(text) > 9223372036854775807n || BigInt(text) < -9223372036854775808n)
                return p.add(path, 'must be a 64-bit integer (number or string)');
            return text;
        }
        case 'bool':
            if (typeof v !== 'boolean')
                return p.add(path, `must be true or false, got ${typeName(v)}`);
            return v;
        case 'timestamp':
            // The envelope's own rule (a day that exists, 00:00:00 to 23:59:59, an offset
            // PostgreSQL takes): Date.parse rolls Feb 30 over to March and takes 24:00.
            if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v.replace(' ', 'T'))))
                return p.add(path, 'must be an RFC 3339 timestamp with an offset');
            try {
                checkTimestamp(path, v);
            }
            catch (err) {
                if (!(err instanceof EventValidationError))
                    throw err;
                return p.add(path, err.reason);
            }
            return v;
        case 'date':
            if (typeof v !== 'string' || !isDate(v))
                return p.add(path, `must be a date, YYYY-MM-DD, got ${typeof v === 'string' ? `"${shown(v)}"` : typeName(v)}`);
            return v;
        case 'enum':
            if (typeof v !== 'string' || !f.values.includes(v))
                return p.add(path, `must be one of ${f.values.join(', ')}`);
            return v;
        case 'json':
            checkStorable(path, v, p);
            return v;
        case 'map':
            if (v === null || typeof v !== 'object' || Array.isArray(v) || isRaw(v))
                return p.add(path, `must be an object, got ${typeName(v)}`);
            checkStorable(path, v, p);
            return v;
        case 'array': {
            if (!Array.isArray(v))
                return p.add(path, `must be an array, got ${typeName(v)}`);
            if (v.length > (f.max ?? 10_000))
                return p.add(path, `has more than ${f.max ?? 10_000} items`);
            const out = [];
            for (let i = 0; i < v.length && !p.full; i++)
                out.push(check(`${path}[${i}]`, f.of, v[i], p));
            return out;
        }
        case 'object':
            return checkObject(path, f.fields, v, p);
    }
}
// Object.entries of each declaration, made once: the validator runs for every event.
const ENTRIES = new WeakMap();
function entries(fields) {
    let e = ENTRIES.get(fields);
    if (!e)
        ENTRIES.set(fields, (e = Object.entries(fields)));
    return e;
}
export function checkObject(path, fields, v, p) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || isRaw(v))
        return void p.add(path, `must be an object, got ${typeName(v)}`);
    const obj = v;
    for (const key in obj) {
        if (!Object.hasOwn(fields, key))
            p.add(`${path}.${key.length > 60 ? key.slice(0, 60) + '…' : key}`, 'is not a known field');
    }
    const out = {};
    for (const [key, f] of entries(fields)) {
        if (p.full)
            break;
        const value = obj[key];
        if (value === undefined || value === null) {
            if (!f.optional)
                p.add(`${path}.${key}`, 'is required');
            else if (value === null)
                out[key] = null;
            continue;
        }
        out[key] = check(`${path}.${key}`, f, value, p);
    }
    return out;
}
// JSON Schema (draft 2020-12) of a field.
export function jsonSchema(f) {
    const base = { description: f.doc };
    switch (f.t) {
        case 'string': return { ...base, type: 'string', minLength: 1, maxLength: f.max ?? MAX_TEXT, ...(f.pattern ? { pattern: f.pattern.source } : {}) };
        case 'id': return { ...base, type: ['string', 'integer'] };
        case 'decimal': return { ...base, type: ['string', 'number'], pattern: DECIMAL.source, ...(f.sign && f.sign !== 'any' ? { 'x-sign': f.sign } : {}) };
        case 'int': return { ...base, type: 'integer', ...(f.min !== undefined ? { minimum: f.min } : {}) };
        case 'bigint': return { ...base, type: ['string', 'integer'], pattern: '^-?\\d{1,19}$' };
        case 'bool': return { ...base, type: 'boolean' };
        case 'timestamp': return { ...base, type: 'string', format: 'date-time' };
        case 'date': return { ...base, type: 'string', format: 'date', pattern: DATE.source };
        case 'enum': return { ...base, enum: [...f.values] };
        case 'json': return { ...base };
        case 'map': return { ...base, type: 'object' };
        case 'array': return { ...base, type: 'array', items: jsonSchema(f.of), maxItems: f.max ?? 10_000 };
        case 'object': return { ...base, ...objectSchema(f.fields) };
    }
}
export function objectSchema(fields) {
    return {
        type: 'object',
        additionalProperties: false,
        required: Object.entries(fields).filter(([, f]) => !f.optional).map(([k]) => k),
        properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, jsonSchema(f)])),
    };
}
export function typeLabel(f) {
    switch (f.t) {
        case 'enum': return f.values.join(' \\| ');
        case 'array': return `array of ${typeLabel(f.of)}`;
        case 'decimal': return f.sign === 'positive' ? 'decimal > 0' : f.sign === 'nonnegative' ? 'decimal ≥ 0' : 'decimal';
        case 'bigint': return 'int64';
        default: return f.t;
    }
}
