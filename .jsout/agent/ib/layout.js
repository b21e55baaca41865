// The layout language for TWS messages: which fields a message carries, in which order,
// at which API server version. One declarative layout per message (see layouts.ts and
// order-layout.ts), one function that reads a frame's wire tokens by it (the relay) and one
// that writes values by it (the simulator), so the two cannot drift apart; the round trips
// through @stoqey/ib's own decoder at every version the tests run check both against it.
//
// A field may depend on the negotiated server version (sv), on the message's own version
// field (v, sent below some server version), or on a field read earlier in the same
// message or group item (IB's "if the algo strategy is set, its parameters follow").
// ---- building layouts ----
export const f = (name, when) => ({ kind: 'field', name, when });
// Several fields under one condition, named in one space-separated string.
export const fields = (names, when) => names.split(/\s+/).filter(Boolean).map((n) => f(n, when));
export const block = (when, ...items) => ({ kind: 'block', when, items: items.flat() });
export const group = (name, count, items, when) => ({ kind: 'group', name, count, items, when });
export const version = (o) => ({ kind: 'version', below: o.below ?? Infinity, implied: o.implied ?? 'sv', sends: o.sends });
export const sv = (min, max = Infinity) => ({ sv: [min, max] });
export const svBelow = (max) => ({ sv: [0, max] });
export const v = (min, max = Infinity) => ({ v: [min, max] });
export const both = (a, b) => ({ ...a, ...b });
export const ifField = (name, test, also = {}) => ({ ...also, field: { name, test } });
// ---- reading ----
const inRange = (n, r) => r === undefined || (n >= r[0] && n < (r[1] ?? Infinity));
function holds(when, s) {
    if (!when)
        return true;
    if (!inRange(s.ctx.sv, when.sv) || !inRange(s.ctx.v, when.v))
        return false;
    if (when.field)
        return when.field.test(s.here[when.field.name] ?? s.top[when.field.name] ?? '');
    return true;
}
class Underrun extends Error {
}
class Reader {
    pos = 1; // tokens[0] is the message id
    tokens;
    constructor(tokens) {
        this.tokens = tokens;
    }
    next(name) {
        if (this.pos >= this.tokens.length)
            throw new Underrun(name);
        return this.tokens[this.pos++];
    }
}
// Reads `tokens` (one frame, message id first) as `layout` at server version `sv`. The
// frame must be consumed exactly: a frame shorter or longer than the layout is refused
// with the reason, never indexed by guesswork.
export function readFrame(layout, tokens, sv) {
    const r = new Reader(tokens);
    const top = {};
    const groups = {};
    const s = { ctx: { sv, v: sv }, here: top, top };
    try {
        readItems(layout.items, r, s, groups);
    }
    catch (err) {
        if (err instanceof Underrun)
            return { ok: false, reason: `${tokens.length} fields, but ${layout.event} at server version ${sv} has more (missing ${err.message})` };
        return { ok: false, reason: err.message };
    }
    if (r.pos !== tokens.length)
        return { ok: false, reason: `${tokens.length} fields, expected ${r.pos} for ${layout.event} at server version ${sv}` };
    return { ok: true, msg: { sv, v: s.ctx.v, f: top, groups } };
}
function readItems(items, r, s, groups) {
    for (const it of items) {
        switch (it.kind) {
            case 'field':
                if (holds(it.when, s))
                    s.here[it.name] = r.next(it.name);
                break;
            case 'version':
                if (s.ctx.sv < it.below) {
                    const text = r.next('version');
                    const n = Number(text);
                    if (!Number.isInteger(n))
                        throw new Error(`message version "${text}" is not a number`);
                    s.ctx.v = n;
                }
                else {
                    s.ctx.v = it.implied === 'sv' ? s.ctx.sv : it.implied;
                }
                break;
            case 'block':
                if (holds(it.when, s))
                    readItems(it.items, r, s, groups);
                break;
            case 'group': {
                if (!holds(it.when, s))
                    break;
                const text = r.next(it.count);
                const n = text === '' ? 0 : Number(text);
                // A count is bounded by what is left of the frame: a bad one cannot run away.
                if (!Number.isInteger(n) || n < 0 || n > r.tokens.length - r.pos)
                    throw new Error(`${it.count} "${text}" is not a count this frame can hold`);
                s.here[it.count] = text;
                const list = [];
                for (let i = 0; i < n; i++) {
                    const item = {};
                    readItems(it.items, r, { ctx: s.ctx, here: item, top: s.top }, groups);
                    list.push(item);
                }
                groups[it.name] = list;
                break;
            }
        }
    }
}
const text = (x) => (x === null || x === undefined ? '' : typeof x === 'boolean' ? (x ? '1' : '0') : String(x));
// The frame's fields (message id first) for `values` at server version `sv`: every field
// the layout has at that version, in order, '' for a value not given; a group's count is
// the length of its list in `lists`.
export function writeFrame(layout, values, sv, lists = {}) {
    const out = [String(layout.id)];
    const top = Object.fromEntries(Object.entries(values).map(([k, x]) => [k, text(x)]));
    writeItems(layout.items, out, { ctx: { sv, v: sv }, here: top, top }, lists);
    return out;
}
function writeItems(items, out, s, lists) {
    for (const it of items) {
        switch (it.kind) {
            case 'field':
                if (holds(it.when, s))
                    out.push(s.here[it.name] ?? '');
                break;
            case 'version':
                if (s.ctx.sv < it.below) {
                    s.ctx.v = it.sends === 'sv' ? s.ctx.sv : it.sends;
                    out.push(String(s.ctx.v));
                }
                else {
                    s.ctx.v = it.implied === 'sv' ? s.ctx.sv : it.implied;
                }
                break;
            case 'block':
                if (holds(it.when, s))
                    writeItems(it.items, out, s, lists);
                break;
            case 'group': {
                if (!holds(it.when, s))
                    break;
                const list = lists[it.name] ?? [];
                s.here[it.count] = String(list.length);
                out.push(s.here[it.count]);
                for (const item of list) {
                    const here = Object.fromEntries(Object.entries(item).map(([k, x]) => [k, text(x)]));
                    writeItems(it.items, out, { ctx: s.ctx, here, top: s.top }, lists);
                }
                break;
            }
        }
    }
}
// ---- what changes where ----
// Every server version at which `layout` changes (a field appears or goes, a version field
// is dropped), within [from, to]: the versions a test must run to see each layout once.
export function changeVersions(layout, from, to) {
    const found = new Set();
    const add = (n) => {
        if (n !== undefined && Number.isFinite(n) && n > from && n <= to)
            found.add(n);
    };
    const walk = (items) => {
        for (const it of items) {
            if (it.kind === 'version')
                add(it.below);
            else {
                add(it.when?.sv?.[0]);
                add(it.when?.sv?.[1]);
                if (it.kind !== 'field')
                    walk(it.items);
            }
        }
    };
    walk(layout.items);
    return [...found].sort((a, b) => a - b);
}
