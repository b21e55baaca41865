// Typed views stay readable whatever a row holds. The journal is append-only, so a row
// whose payload does not follow the vocabulary (written before every way in validated,
// or by a superuser) stays forever; a view that cast it with :: failed for every query
// from then on. Method: for every event type, rows whose every typed field holds a value
// that does not cast (and rows whose objects and arrays have the wrong shape) are inserted
// straight into ledger.events as the owner; then every view in the ledger schema is read
// in full, the bad values come back NULL, and ledger.invalid_events names each problem.
import t from 'tap';
import { VOCABULARY } from "../agent/ingest/vocabulary.js";
import { testDb } from "./helpers/db.js";
const { sql } = await testDb(t);
function garbage(f) {
    switch (f.t) {
        case 'decimal': return 'lots';
        case 'int': return 'x';
        case 'bigint': return '99999999999999999999';
        case 'timestamp': return '2026-02-30T10:00:00Z';
        case 'bool': return 'yes';
        case 'enum': return 'NOT_AN_ENUM';
        case 'object': return garbageObject(f.fields);
        case 'array': return [garbage(f.of), 'scalar item', 7];
        case 'map': return 'not a map';
        default: return 42;
    }
}
function garbageObject(fields) {
    return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, garbage(f)]));
}
// The same fields with the wrong shape: objects as strings, arrays as objects.
function misshapen(fields) {
    return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.t === 'object' ? 'not an object' : f.t === 'array' ? { not: 'an array' } : garbage(f)]));
}
t.test('every view reads every row; bad values are NULL and listed in ledger.invalid_events', async (t) => {
    const rows = [];
    for (const [type, spec] of Object.entries(VOCABULARY)) {
        const bad = garbageObject(spec.fields);
        // The partial index events_con_id_idx casts contract.con_id of these types, so the
        // ledger itself refuses a row whose con_id is not a bigint: such a row cannot exist.
        if (['order_submitted', 'execution', 'pnl', 'signal'].includes(type))
            bad.contract.con_id = 1;
        rows.push([type, JSON.stringify(bad)], [type, JSON.stringify(misshapen(spec.fields))], [type, '{}']);
    }
    for (const type of ['ib_execution', 'ib_commission']) {
        rows.push([type, JSON.stringify({ order_id: 'x', perm_id: 'y', client_id: '99999999999', shares: 'lots', price: '1e', cum_qty: '-', avg_price: '.', live: 'maybe', commission: 'free', realized_pnl: 'NaN?', contract: 'oops' })]);
    }
    // Straight into the journal, as the owner, the way no validated path would write them.
    await sql.begin(async (tx) => {
        for (const [type, payload] of rows) {
            await tx `insert into ledger.events (stream, occurred_at, source, event_type, account, entity_id, payload)
               values ('bad', now(), 'bot', ${type}, 'DU1', 'E1', ${payload}::text::jsonb)`;
        }
    });
    const views = await sql `select table_name as v from information_schema.views where table_schema = 'ledger' order by 1`;
    t.ok(views.length >= 17, `${views.length} views`);
    for (const { v } of views) {
        const r = await sql.unsafe(`select * from ledger.${v}`);
        t.pass(`ledger.${v} reads (${r.length} rows)`);
    }
    const [o] = await sql `select quantity, limit_price, good_till, con_id from ledger.orders where stream = 'bad' limit 1`;
    t.same(o, { quantity: null, limit_price: null, good_till: null, con_id: '1' }, 'values that do not cast are NULL');
    const [e] = await sql `select shares, price, order_id, client_id, live from ledger.ib_executions limit 1`;
    t.same(e, { shares: null, price: null, order_id: null, client_id: null, live: null });
    const invalid = await sql `select event_type, problems from ledger.invalid_events where stream = 'bad'`;
    const withRequired = Object.values(VOCABULARY).filter((spec) => Object.values(spec.fields).some((f) => !f.optional)).length;
    t.equal(invalid.length, Object.keys(VOCABULARY).length * 2 + withRequired, 'every bad row of the vocabulary is listed');
    const orders = invalid.filter((r) => r.event_type === 'order_submitted').map((r) => r.problems.join('\n'));
    t.match(orders[0], /payload\.quantity: "lots" is not a decimal/);
    t.match(orders[0], /payload\.good_till: "2026-02-30T10:00:00Z" is not an RFC 3339 timestamp/);
    t.match(orders[0], /payload\.contract\.strike: "lots" is not a decimal/);
    t.match(orders[0], /payload\.side: "NOT_AN_ENUM" is not one of BUY, SELL/);
    t.match(orders[1], /payload\.contract: "not an object" is not an object/);
    t.match(orders[2], /payload\.client_order_id: is required/);
    const positions = invalid.filter((r) => r.event_type === 'position_snapshot').map((r) => r.problems.join('\n'));
    t.match(positions[0], /payload\.positions\[0\]\.quantity: "lots" is not a decimal/);
    t.match(positions[0], /payload\.positions\[0\]\.contract\.con_id: "x" is not a 64-bit integer/);
    t.match(positions[0], /payload\.positions\[1\]: "scalar item" is not an object/);
    t.match(positions[1], /payload\.positions: \{"not": "an array"\} is not an array/);
});
t.test('a valid row is not listed, and the casts agree with PostgreSQL on what is a number', async (t) => {
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, payload)
            values ('good', now(), 'bot', 'signal', '{"signal_id": "s", "strategy": "x", "strength": "-1.5"}')`;
    t.equal((await sql `select count(*)::int as n from ledger.invalid_events where stream = 'good'`)[0].n, 0);
    const [c] = await sql `select ledger.to_numeric('1.5e3')::text as a, ledger.to_numeric(' -0.001 ')::text as b, ledger.to_numeric('1e')::text as c,
                               ledger.to_numeric(repeat('9', 3000)) as d, ledger.to_bigint('9223372036854775807')::text as e,
                               ledger.to_bigint('9223372036854775808') as f, ledger.to_integer('2147483648') as g,
                               ledger.to_timestamptz('2026-11-26T14:30:00.123456+05:30')::text is not null as h, ledger.to_timestamptz('2026-11-26') as i,
                               ledger.to_boolean('true') as j, ledger.to_boolean('t') as k`;
    t.same(c, { a: '1500', b: '-0.001', c: null, d: null, e: '9223372036854775807', f: null, g: null, h: true, i: null, j: true, k: null });
});
t.test('every column of every view in the ledger schema has a comment', async (t) => {
    const missing = await sql `
    select c.table_name || '.' || c.column_name as col
      from information_schema.columns c
      join information_schema.views v on v.table_schema = c.table_schema and v.table_name = c.table_name
     where c.table_schema = 'ledger'
       and col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) is null
     order by 1`;
    t.same(missing.map((r) => r.col), []);
});
