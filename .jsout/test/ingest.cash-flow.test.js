// The bot's cash_flow events: every kind is accepted with the sign the account sees, and
// every refusal names its field (kind, zero or wrongly signed amount, non-plain decimal,
// currency, value_date, account). Method: items go through toBotEvent as the API parses
// them; accepted ones are then appended through the ledger's COPY path into a real
// database, and ledger.cash_flows is read back with typed columns (numeric amount, date
// value_date), a value_date that does not exist reading as NULL and listed as invalid.
import t, {} from 'tap';
import { eventSchemas } from "../agent/ingest/docs.js";
import { toBotEvent } from "../agent/ingest/vocabulary.js";
import { appendBatch } from "../agent/ledger/copy.js";
import { EventValidationError } from "../agent/ledger/event.js";
import { parseExact } from "../agent/ledger/json.js";
import { testDb } from "./helpers/db.js";
const at = '2026-11-26T14:30:00Z';
const contract = { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 };
// An item as the API receives it: the JSON text through the exact parser.
function item(payload, over = {}) {
    return parseExact(JSON.stringify({ event_type: 'cash_flow', occurred_at: at, account: 'DU1', payload, ...over }));
}
function itemText(json) {
    return parseExact(json);
}
function refusal(t, value, field, reason, what) {
    try {
        toBotEvent(value);
        t.fail(`${what}: accepted`);
    }
    catch (err) {
        if (!(err instanceof EventValidationError))
            throw err;
        t.equal(err.field, field, `${what}: names ${field}`);
        t.match(err.reason, reason, `${what}: ${err.reason}`);
    }
}
// Every kind, with each sign it may take: deposits only in, withdrawals only out; a fee or
// tax refunded, a dividend reversed, interest paid keep their kind with the other sign.
const ACCEPTED = [
    ['deposit', '10000.00'], ['withdrawal', '-2500'], ['dividend', '24.00'], ['dividend', '-24.00'],
    ['interest', '3.17'], ['interest', '-0.42'], ['fee', '-10'], ['fee', '10'], ['tax', '-3.60'], ['tax', '0.01'],
];
t.test('every kind is accepted with the sign the account sees', async (t) => {
    for (const [kind, amount] of ACCEPTED) {
        const ev = toBotEvent(item({ kind, currency: 'USD', amount }));
        t.equal(ev.eventType, 'cash_flow');
        t.same(JSON.parse(ev.payload), { kind, currency: 'USD', amount }, `${kind} ${amount}`);
    }
    const full = toBotEvent(item({ flow_id: 'div-1', kind: 'tax', currency: 'USD', amount: '-3.6', value_date: '2026-11-13', contract, description: 'US withholding tax on AAPL dividend' }));
    t.same(JSON.parse(full.payload).contract, contract, 'a dividend or its withholding names the instrument as other types do');
    const number = toBotEvent(itemText(`{"event_type":"cash_flow","occurred_at":"${at}","account":"DU1","payload":{"kind":"deposit","currency":"EUR","amount":12345678901234567890.12345678901234567890}}`));
    t.equal(JSON.parse(number.payload).amount, '12345678901234567890.12345678901234567890', 'a JSON number keeps its digits');
});
t.test('entity: cash_flow and the flow_id when given, none without; the key is the envelope\'s', async (t) => {
    const withId = toBotEvent(item({ flow_id: 'f-7', kind: 'fee', currency: 'USD', amount: '-1.5' }, { idempotency_key: 'bot:cash:f-7' }));
    t.same([withId.entityType, withId.entityId, withId.account, withId.idempotencyKey], ['cash_flow', 'f-7', 'DU1', 'bot:cash:f-7']);
    const numericId = toBotEvent(itemText(`{"event_type":"cash_flow","occurred_at":"${at}","account":"DU1","payload":{"flow_id":90071992547409931,"kind":"fee","currency":"USD","amount":"-1"}}`));
    t.equal(numericId.entityId, '90071992547409931', 'an integer flow_id is kept exactly');
    const without = toBotEvent(item({ kind: 'fee', currency: 'USD', amount: '-1.5' }));
    t.same([without.entityType, without.entityId, without.idempotencyKey], ['cash_flow', null, null]);
    const nullId = toBotEvent(item({ flow_id: null, kind: 'fee', currency: 'USD', amount: '-1.5' }));
    t.equal(nullId.entityId, null, 'a null flow_id is no id, not the text "null"');
});
t.test('every refusal names its field', async (t) => {
    const ok = { kind: 'deposit', currency: 'USD', amount: '100' };
    refusal(t, item({ ...ok, kind: 'transfer' }), 'payload.kind', /must be one of deposit, withdrawal, dividend, interest, fee, tax/, 'unknown kind');
    refusal(t, item({ ...ok, kind: 'Deposit' }), 'payload.kind', /must be one of/, 'kind is case-sensitive');
    refusal(t, item({ currency: 'USD', amount: '100' }), 'payload.kind', /is required/, 'no kind');
    for (const kind of ['deposit', 'withdrawal', 'dividend', 'interest', 'fee', 'tax']) {
        for (const zero of ['0', '0.00', '-0', '-0.0'])
            refusal(t, item({ kind, currency: 'USD', amount: zero }), 'payload.amount', /must not be zero/, `${kind} ${zero}`);
    }
    refusal(t, itemText(`{"event_type":"cash_flow","occurred_at":"${at}","account":"DU1","payload":{"kind":"fee","currency":"USD","amount":0}}`), 'payload.amount', /must not be zero/, 'JSON number 0');
    refusal(t, item({ ...ok, amount: '-100' }), 'payload.amount', /must be positive for a deposit \(money in\), got -100/, 'negative deposit');
    refusal(t, item({ kind: 'withdrawal', currency: 'USD', amount: '100' }), 'payload.amount', /must be negative for a withdrawal \(money out\), got 100/, 'positive withdrawal');
    refusal(t, item({ ...ok, amount: '1e3' }), 'payload.amount', /"1e3" is not a plain decimal/, 'exponent in a string');
    refusal(t, itemText(`{"event_type":"cash_flow","occurred_at":"${at}","account":"DU1","payload":{"kind":"deposit","currency":"USD","amount":1e3}}`), 'payload.amount', /"1e3" is not a plain decimal/, 'exponent in a JSON number');
    refusal(t, item({ ...ok, amount: '+100' }), 'payload.amount', /not a plain decimal/, 'explicit plus sign');
    refusal(t, item({ ...ok, amount: '1,000.00' }), 'payload.amount', /not a plain decimal/, 'thousands separator');
    refusal(t, item({ ...ok, amount: true }), 'payload.amount', /must be a decimal \(string or number\), got boolean/, 'boolean amount');
    refusal(t, item({ kind: 'deposit', currency: 'USD' }), 'payload.amount', /is required/, 'no amount');
    refusal(t, item({ ...ok, currency: 'usd' }), 'payload.currency', /3-letter currency code/, 'lower-case currency');
    refusal(t, item({ ...ok, currency: 'US' }), 'payload.currency', /3-letter currency code/, 'two letters');
    refusal(t, item({ ...ok, currency: 'USDT' }), 'payload.currency', /longer than 3/, 'four letters');
    refusal(t, item({ kind: 'deposit', amount: '100' }), 'payload.currency', /is required/, 'no currency');
    for (const bad of ['2026-02-30', '2026-13-01', '0000-01-01', '20261126', '2026-11-26T00:00:00Z', '26-11-2026', ' 2026-11-26']) {
        refusal(t, item({ ...ok, value_date: bad }), 'payload.value_date', /must be a date, YYYY-MM-DD/, `value_date ${bad}`);
    }
    refusal(t, item({ ...ok, value_date: 20261126 }), 'payload.value_date', /must be a date, YYYY-MM-DD, got number/, 'value_date as a number');
    refusal(t, item(ok, { account: undefined }), 'account', /is required for cash_flow/, 'no account');
    refusal(t, item({ ...ok, flow_id: '' }), 'payload.flow_id', /non-empty string/, 'empty flow_id');
    refusal(t, item({ ...ok, contract: { con_id: 265598 } }), 'payload.contract.symbol', /is required/, 'a contract follows the contract rules');
    refusal(t, item({ ...ok, description: 'x'.repeat(2001) }), 'payload.description', /longer than 2000/, 'description too long');
    refusal(t, item({ ...ok, symbol: 'AAPL' }), 'payload.symbol', /is not a known field/, 'the instrument goes in contract');
    refusal(t, item({ ...ok, kind: 'transfer', amount: '0' }), 'payload.kind', /must be one of/, 'a malformed field is named before the sign rules run');
});
t.test('the JSON Schema says the same', async (t) => {
    const s = eventSchemas()['cash_flow.json'];
    t.same(s.required, ['event_type', 'occurred_at', 'payload', 'account']);
    t.same(s.properties.payload.required, ['kind', 'currency', 'amount']);
    t.same(s.properties.payload.properties.kind.enum, ['deposit', 'withdrawal', 'dividend', 'interest', 'fee', 'tax']);
    t.equal(s.properties.payload.properties.value_date.format, 'date');
    t.equal(s.properties.payload.properties.currency.pattern, '^[A-Z]{3}$');
});
t.test('ledger.cash_flows: typed columns, every one commented; a bad value_date reads NULL and is listed', async (t) => {
    const { sql } = await testDb(t);
    const events = [
        toBotEvent(item({ flow_id: 'dep-1', kind: 'deposit', currency: 'USD', amount: '10000.00', value_date: '2026-11-02' }, { idempotency_key: 'cash:dep-1' })),
        toBotEvent(item({ flow_id: 'div-1', kind: 'dividend', currency: 'USD', amount: '24.00', value_date: '2026-11-13', contract, description: 'AAPL cash dividend' }, { idempotency_key: 'cash:div-1' })),
        toBotEvent(item({ flow_id: 'tax-1', kind: 'tax', currency: 'USD', amount: '-3.600', contract }, { idempotency_key: 'cash:tax-1' })),
        toBotEvent(item({ kind: 'withdrawal', currency: 'EUR', amount: '-0.000000000000000001' }, { idempotency_key: 'cash:wd-1' })),
    ];
    t.same(await appendBatch(sql, events), { appended: 4, duplicates: 0 });
    const rows = await sql `
    select flow_id, kind, currency, amount::text, pg_typeof(amount)::text as amount_type, value_date::text, pg_typeof(value_date)::text as date_type,
           con_id, symbol, contract_currency, description, account, idempotency_key
      from ledger.cash_flows order by seq`;
    t.same(rows.map((r) => [r.flow_id, r.kind, r.currency, r.amount, r.value_date, r.con_id, r.symbol, r.contract_currency, r.description, r.account, r.idempotency_key]), [
        ['dep-1', 'deposit', 'USD', '10000.00', '2026-11-02', null, null, null, null, 'DU1', 'cash:dep-1'],
        ['div-1', 'dividend', 'USD', '24.00', '2026-11-13', '265598', 'AAPL', 'USD', 'AAPL cash dividend', 'DU1', 'cash:div-1'],
        ['tax-1', 'tax', 'USD', '-3.600', null, '265598', 'AAPL', 'USD', null, 'DU1', 'cash:tax-1'],
        [null, 'withdrawal', 'EUR', '-0.000000000000000001', null, null, null, null, null, 'DU1', 'cash:wd-1'],
    ]);
    t.same([...new Set(rows.map((r) => `${r.amount_type} ${r.date_type}`))], ['numeric date'], 'amount is numeric, value_date is date');
    const [sum] = await sql `select sum(amount)::text as net, sum(amount) filter (where kind in ('deposit', 'withdrawal'))::text as external
                            from ledger.cash_flows where currency = 'USD'`;
    t.same(sum, { net: '10020.400', external: '10000.00' }, 'numeric arithmetic is exact');
    const entities = await sql `select entity_type, entity_id from ledger.events where event_type = 'cash_flow' order by seq`;
    t.same(entities.map((r) => [r.entity_type, r.entity_id]), [['cash_flow', 'dep-1'], ['cash_flow', 'div-1'], ['cash_flow', 'tax-1'], ['cash_flow', null]]);
    const columns = await sql `
    select a.attname as col, format_type(a.atttypid, a.atttypmod) as type, col_description(a.attrelid, a.attnum) as doc
      from pg_attribute a where a.attrelid = 'ledger.cash_flows'::regclass and a.attnum > 0 order by a.attnum`;
    const types = Object.fromEntries(columns.map((c) => [c.col, c.type]));
    t.match(types, { seq: 'bigint', occurred_at: 'timestamp with time zone', flow_id: 'text', kind: 'text', currency: 'text', amount: 'numeric', value_date: 'date', con_id: 'bigint', contract_currency: 'text', description: 'text' });
    t.same(columns.filter((c) => !c.doc).map((c) => c.col), [], 'every column has a comment');
    t.match((await sql `select obj_description('ledger.cash_flows'::regclass) as d`)[0].d, /deposits, withdrawals, dividends, interest, fees and taxes/);
    // A row that bypassed validation (written as the owner): the view still reads, the day
    // that does not exist is NULL, and ledger.invalid_events names the field.
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, account, payload)
            values ('bad', now(), 'bot', 'cash_flow', 'DU1', '{"kind": "bonus", "currency": "USD", "amount": "lots", "value_date": "2026-02-30"}')`;
    const [bad] = await sql `select kind, amount, value_date from ledger.cash_flows where stream = 'bad'`;
    t.same(bad, { kind: 'bonus', amount: null, value_date: null });
    const [inv] = await sql `select problems from ledger.invalid_events where stream = 'bad'`;
    t.same(inv.problems, [
        'payload.kind: "bonus" is not one of deposit, withdrawal, dividend, interest, fee, tax',
        'payload.amount: "lots" is not a decimal',
        'payload.value_date: "2026-02-30" is not a date (YYYY-MM-DD)',
    ]);
    const [c] = await sql `select ledger.to_date('2024-02-29')::text as a, ledger.to_date('2026-02-29') as b, ledger.to_date('0000-01-01') as c,
                               ledger.to_date('2026-11-26T00:00:00Z') as d, ledger.to_date('epoch') as e, ledger.to_date(null) as f`;
    t.same(c, { a: '2024-02-29', b: null, c: null, d: null, e: null, f: null }, 'ledger.to_date never fails');
});
