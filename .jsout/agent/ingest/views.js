// Typed views over the journal, one per event type, generated from the vocabulary so a
// column exists exactly when the API accepts the field. Money and quantities come out as
// numeric, times as timestamptz, days as date; every view and column carries a comment.
// The journal stays the only stored copy. `npm run docs` writes db/functions/060_ledger_views.sql.
import { VOCABULARY } from "./vocabulary.js";
// View name for each event type; array payloads also get a view with one row per item.
const VIEWS = {
    order_submitted: { view: 'orders', doc: 'Orders the bot submitted (event_type order_submitted), one row per order.' },
    order_status: { view: 'order_statuses', doc: 'Order status changes the bot reported (order_status).' },
    order_cancel_requested: { view: 'order_cancel_requests', doc: 'Cancels the bot requested (order_cancel_requested).' },
    order_modified: { view: 'order_modifications', doc: 'Changes the bot made to working orders (order_modified).' },
    execution: { view: 'executions', doc: 'Fills (event_type execution) the bot recorded, and fills reconciliation inferred from the broker (source system, inferred true).' },
    commission: { view: 'commissions', doc: 'Commissions reported after their fill (commission), by the bot or appended by reconciliation from IB.' },
    position_snapshot: {
        view: 'position_snapshots', doc: 'Position snapshots the bot reported, one row per snapshot.',
        unnest: { field: 'positions', view: 'positions', doc: 'Positions the bot believed it held: one row per instrument per position_snapshot.' },
    },
    account_snapshot: {
        view: 'account_values', doc: 'Account values the bot reported (account_snapshot): net liquidation, margins, buying power.',
        unnest: { field: 'cash', view: 'cash_balances', doc: 'Cash per currency the bot believed it held: one row per currency per account_snapshot.' },
    },
    cash_flow: { view: 'cash_flows', doc: 'Cash that entered or left the account other than by trading (cash_flow): deposits, withdrawals, dividends, interest, fees and taxes, signed as the account sees them.' },
    pnl: { view: 'pnl', doc: 'Profit and loss the bot computed (pnl).' },
    signal: { view: 'signals', doc: 'Strategy signals: what the bot decided and why (signal).' },
    config_change: { view: 'config_changes', doc: 'Configuration changes, with who and why (config_change).' },
    user_action: { view: 'user_actions', doc: 'Actions people took on the bot (user_action).' },
    connection: { view: 'connections', doc: "The bot's own connection state changes (connection)." },
    system: { view: 'system_events', doc: 'Start, stop, deploy and error events of the bot (system).' },
};
const COMMON = [
    ['seq', 'e.seq', 'Global position in the journal (ledger.events.seq)'],
    ['stream', 'e.stream', 'Chain the event belongs to'],
    ['stream_seq', 'e.stream_seq', 'Position in its stream'],
    ['recorded_at', 'e.recorded_at', 'When the ledger recorded it'],
    ['occurred_at', 'e.occurred_at', 'When it happened, by the reporter\'s clock'],
    ['source', 'e.source', 'Who reported it (bot, ib, user, system, flex)'],
    ['account', 'e.account', 'Broker account'],
    ['actor', 'privacy.reveal(e.actor)', 'Who acted'],
    ['session_id', 'e.session_id', 'Session of the reporter'],
    ['idempotency_key', 'e.idempotency_key', 'Idempotency key it arrived with'],
];
// Casts through ledger.to_* (db/functions/055_ledger_casts.sql): a value that does not
// cast is NULL, never an error, so one bad row cannot make a view unreadable forever.
// Text and JSON go through privacy.reveal (015_ledger_personal_data.sql): any of them may be
// configured to hold personal data, stored as a token; a value that is no token costs a
// prefix test.
function cast(expr, f) {
    switch (f.t) {
        case 'decimal': return `ledger.to_numeric(${expr} ->> '_')`;
        case 'int':
        case 'bigint': return `ledger.to_bigint(${expr} ->> '_')`;
        case 'timestamp': return `ledger.to_timestamptz(${expr} ->> '_')`;
        case 'date': return `ledger.to_date(${expr} ->> '_')`;
        case 'bool': return `ledger.to_boolean(${expr} ->> '_')`;
        case 'json':
        case 'map':
        case 'array':
        case 'object': return `privacy.reveal_json(${expr} -> '_')`;
        case 'enum': return `${expr} ->> '_'`;
        default: return `privacy.reveal(${expr} ->> '_')`;
    }
}
function columns(fields, base, prefix, taken, skip) {
    const out = [];
    for (const [name, f] of Object.entries(fields)) {
        if (name === skip)
            continue;
        if (f.t === 'object' && name === 'contract') {
            for (const [cname, cf] of Object.entries(f.fields)) {
                const col = taken.has(cname) || name !== 'contract' ? `contract_${cname}` : cname;
                const expr = cast(`${base} -> 'contract'`, cf).replace("'_'", `'${cname}'`);
                out.push({ name: prefix + col, expr, doc: `Contract: ${cf.doc}` });
            }
            continue;
        }
        out.push({ name: prefix + name, expr: cast(base, f).replace("'_'", `'${name}'`), doc: f.doc });
    }
    return out;
}
function viewSql(view, doc, cols, from) {
    const all = [...COMMON.map(([n, e, d]) => ({ name: n, expr: e, doc: d })), ...cols];
    const lines = [
        `create or replace view ledger.${view} as`,
        'select ' + all.map((c) => `${c.expr} as ${c.name}`).join(',\n       '),
        `  from ${from};`,
        `comment on view ledger.${view} is ${lit(doc)};`,
        ...all.map((c) => `comment on column ledger.${view}.${c.name} is ${lit(c.doc)};`),
    ];
    return lines.join('\n');
}
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
// An array, or no elements when the value is something else (jsonb_array_elements fails).
const arrayOrEmpty = (expr) => `case when jsonb_typeof(${expr}) = 'array' then ${expr} else '[]'::jsonb end`;
// What a value of field type `f` at `expr` (jsonb) must look like, as a SQL condition that
// is true when it does NOT, and the reason to give.
function badValue(expr, f) {
    const t = `(${expr} #>> '{}')`;
    switch (f.t) {
        case 'decimal': return { when: `ledger.to_numeric(${t}) is null`, why: 'is not a decimal' };
        case 'int':
        case 'bigint': return { when: `ledger.to_bigint(${t}) is null`, why: 'is not a 64-bit integer' };
        case 'timestamp': return { when: `ledger.to_timestamptz(${t}) is null`, why: 'is not an RFC 3339 timestamp with an offset' };
        case 'date': return { when: `ledger.to_date(${t}) is null`, why: 'is not a date (YYYY-MM-DD)' };
        case 'bool': return { when: `jsonb_typeof(${expr}) <> 'boolean'`, why: 'is not true or false' };
        case 'enum': return { when: `${t} not in (${f.values.map(lit).join(', ')})`, why: `is not one of ${f.values.join(', ')}` };
        case 'string': return { when: `jsonb_typeof(${expr}) <> 'string'`, why: 'is not a string' };
        case 'id': return { when: `jsonb_typeof(${expr}) not in ('string', 'number')`, why: 'is not a string or an integer' };
        case 'map':
        case 'object': return { when: `jsonb_typeof(${expr}) <> 'object'`, why: 'is not an object' };
        case 'array': return { when: `jsonb_typeof(${expr}) <> 'array'`, why: 'is not an array' };
        case 'json': return null;
    }
}
// One SQL text[] expression listing what is wrong with the fields of `base` (jsonb).
function problems(base, fields, path) {
    const out = [];
    for (const [name, f] of Object.entries(fields)) {
        const expr = `${base} -> ${lit(name)}`;
        const where = `${path}.${name}`;
        const absent = `(${expr} is null or jsonb_typeof(${expr}) = 'null')`;
        if (!f.optional)
            out.push(`case when ${absent} then ${lit(`${where}: is required`)} end`);
        const bad = badValue(expr, f);
        if (bad) {
            out.push(`case when not ${absent} and ${bad.when} then ${lit(`${where}: `)} || left((${expr})::text, 60) || ${lit(` ${bad.why}`)} end`);
        }
        if (f.t === 'object') {
            out.push(...problems(expr, f.fields, where).map((p) => `case when jsonb_typeof(${expr}) = 'object' then ${p} end`));
        }
        if (f.t === 'array' && f.of.t === 'object') {
            const inner = [
                `case when jsonb_typeof(x.item) <> 'object' then ${lit(`${where}[]: `)} || left(x.item::text, 60) || ' is not an object' end`,
                ...problems('x.item', f.of.fields, `${where}[]`).map((p) => `case when jsonb_typeof(x.item) = 'object' then ${p} end`),
            ];
            out.push(`(select string_agg(replace(p, ${lit(`${where}[]`)}, ${lit(where)} || '[' || (x.n - 1) || ']'), '; ')
          from jsonb_array_elements(${arrayOrEmpty(expr)}) with ordinality as x(item, n)
          cross join lateral unnest(array[${inner.join(',\n            ')}]) as p where p is not null)`);
        }
    }
    return out;
}
// ledger.event_problems(event_type, payload) and the view ledger.invalid_events: rows of
// the bot's event types whose payload does not follow the vocabulary (they can only come
// from before validation covered every way in). The typed views read such values as NULL.
function invalidEventsSql() {
    const branches = Object.entries(VOCABULARY).map(([type, spec]) => `    when ${lit(type)} then array_remove(array[\n      ${problems('p', spec.fields, 'payload').join(',\n      ')}]::text[], null)`);
    return [
        'create or replace function ledger.event_problems(p_event_type text, p jsonb) returns text[]',
        'language sql stable parallel safe as $$',
        '  select case p_event_type',
        ...branches,
        '    else array[]::text[] end',
        '$$;',
        `comment on function ledger.event_problems(text, jsonb) is ${lit("What is wrong with a payload of one of the bot's event types, one text per problem naming the field; empty when nothing is.")};`,
        '',
        'create or replace view ledger.invalid_events as',
        'select e.seq, e.stream, e.stream_seq, e.recorded_at, e.occurred_at, e.source, e.event_type, e.account, e.idempotency_key, r.problems',
        '  from ledger.events e',
        '  cross join lateral (select ledger.event_problems(e.event_type, e.payload) as problems) r',
        ` where e.event_type in (${Object.keys(VOCABULARY).map(lit).join(', ')})`,
        '   and cardinality(r.problems) > 0;',
        `comment on view ledger.invalid_events is ${lit("Events of the bot's vocabulary whose payload does not follow it (stored before validation covered every way in); the typed views show their unreadable values as NULL.")};`,
        `comment on column ledger.invalid_events.problems is ${lit('Every problem found, each naming its field (payload.quantity: "lots" is not a decimal)')};`,
        ...[['seq', 'Global position in the journal (ledger.events.seq)'], ['stream', 'Chain the event belongs to'], ['stream_seq', 'Position in its stream'],
            ['recorded_at', 'When the ledger recorded it'], ['occurred_at', 'When it happened, by the reporter\'s clock'], ['source', 'Who reported it'],
            ['event_type', 'Its event type'], ['account', 'Broker account'], ['idempotency_key', 'Idempotency key it arrived with']]
            .map(([c, d]) => `comment on column ledger.invalid_events.${c} is ${lit(d)};`),
    ].join('\n');
}
export function viewsSql() {
    const parts = [
        '-- Typed views over ledger.events, one per event type of the bot\'s vocabulary.',
        '-- Generated from agent/ingest/vocabulary.ts by `npm run docs`; do not edit by hand.',
        '-- Decimals are numeric, times timestamptz; the journal stays the only stored copy.',
        '',
    ];
    // Create or replace only: a change that removes or reorders columns fails here, loudly,
    // and needs a migration; dropping would take dependent views (reports, a DBA's) along.
    for (const [type, spec] of Object.entries(VOCABULARY)) {
        const v = VIEWS[type];
        if (!v)
            throw new Error(`no view declared for event type ${type}`);
        const taken = new Set(Object.keys(spec.fields));
        const from = `ledger.events e where e.event_type = ${lit(type)}`;
        const cols = columns(spec.fields, 'e.payload', '', taken, v.unnest?.field);
        parts.push(viewSql(v.view, v.doc, cols, from), '');
        if (v.unnest) {
            const item = spec.fields[v.unnest.field];
            const itemFields = item.of.fields;
            const inner = columns(itemFields, 'x.item', '', new Set(Object.keys(itemFields)));
            parts.push(viewSql(v.unnest.view, v.unnest.doc, [{ name: 'item_no', expr: 'x.ord', doc: 'Position of the item in the snapshot, from 1' }, ...inner], `ledger.events e cross join lateral jsonb_array_elements(${arrayOrEmpty(`e.payload -> ${lit(v.unnest.field)}`)}) with ordinality as x(item, ord)\n where e.event_type = ${lit(type)}`), '');
        }
    }
    parts.push(invalidEventsSql(), '');
    return parts.join('\n');
}
