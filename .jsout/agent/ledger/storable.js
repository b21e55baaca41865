// What PostgreSQL cannot store, found before anything is written: U+0000 and unpaired
// UTF-16 surrogates in text and jsonb, and numbers past numeric's range in jsonb. Every way
// into the ledger checks with these, so a refusal happens at the door, naming the field,
// never as a COPY the database refuses later.
import { isRaw } from "./json.js";
// Every problem of one item, in order, up to a bound: a bot developer fixes them in one
// round instead of one per request. Past the bound the item is refused all the same.
export const MAX_PROBLEMS = 20;
export class Problems {
    list = [];
    add(field, reason) {
        if (this.list.length < MAX_PROBLEMS)
            this.list.push({ field, reason });
    }
    get full() {
        return this.list.length >= MAX_PROBLEMS;
    }
}
// What PostgreSQL cannot store in text or jsonb: U+0000, and UTF-16 surrogates that are
// not part of a pair (JSON's "\ud800" escapes decode to those). Null when the text is fine.
export function unstorable(v) {
    if (v.includes('\u0000'))
        return 'must not contain NUL (U+0000) characters';
    if (!v.isWellFormed())
        return 'must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff escapes without their pair)';
    return null;
}
// Numbers in free-form JSON: jsonb holds them as numeric, whose range is large but finite.
const NUMBER_LIMIT_DIGITS = 1000;
function unstorableNumber(text) {
    const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m)
        return null;
    const digits = m[1].length + (m[2]?.length ?? 0);
    const exp = m[3] ? Number(m[3]) : 0;
    if (digits > NUMBER_LIMIT_DIGITS || Math.abs(exp) > NUMBER_LIMIT_DIGITS) {
        return `number ${text.length > 40 ? text.slice(0, 40) + '…' : text} is outside what blotter stores (at most ${NUMBER_LIMIT_DIGITS} digits, exponent within ±${NUMBER_LIMIT_DIGITS})`;
    }
    return null;
}
// Every string, key and number of a free-form JSON value, checked for what the database
// would refuse; problems are named by their path.
export function checkStorable(path, v, p, depth = 0) {
    if (p.full)
        return;
    if (typeof v === 'string') {
        const why = unstorable(v);
        if (why)
            p.add(path, why);
    }
    else if (isRaw(v)) {
        const why = unstorableNumber(v.rawJSON);
        if (why)
            p.add(path, why);
    }
    else if (Array.isArray(v)) {
        if (depth > 64)
            return p.add(path, 'is nested more than 64 levels deep');
        for (let i = 0; i < v.length && !p.full; i++)
            checkStorable(`${path}[${i}]`, v[i], p, depth + 1);
    }
    else if (v !== null && typeof v === 'object') {
        if (depth > 64)
            return p.add(path, 'is nested more than 64 levels deep');
        for (const [k, x] of Object.entries(v)) {
            const why = unstorable(k);
            if (why)
                p.add(`${path} key ${JSON.stringify(k.replace(/[^\x20-\x7e]/g, '?'))}`, why);
            checkStorable(`${path}.${k}`, x, p, depth + 1);
        }
    }
}
// JSON text (as JSON.stringify writes it) that may hold something checkStorable refuses:
// an escaped NUL or lone surrogate (JSON.stringify escapes only those, never a valid
// pair), or a number with 4+ exponent digits or 1000+ digits. It can match inside a string
// (an escaped backslash before "u0000", say); then the exact walk runs and finds nothing.
const MAYBE_UNSTORABLE = /\\u(?:0000|d[89a-f])|[eE][+-]?\d{4}|\d{1000}/i;
export function maybeUnstorable(jsonText) {
    return MAYBE_UNSTORABLE.test(jsonText);
}
