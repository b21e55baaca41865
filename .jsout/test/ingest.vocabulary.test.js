// Every event type of the bot's vocabulary is accepted in its valid form and refused with
// a message naming the field; decimals survive exactly; the generated reference (docs,
// JSON Schemas, typed views) matches the vocabulary it is generated from.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { eventSchemas, eventsMarkdown } from "../agent/ingest/docs.js";
import { viewsSql } from "../agent/ingest/views.js";
import { toBotEvent, VOCABULARY } from "../agent/ingest/vocabulary.js";
import { parseExact } from "../agent/ledger/json.js";
import { EventValidationError } from "../agent/ledger/event.js";
import { ROOT } from "./helpers/db.js";
const contract = { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598, exchange: 'SMART' };
const at = '2026-11-26T14:30:00.123456Z';
export const VALID = {
    order_submitted: { account: 'DU1', payload: { client_order_id: 'o1', order_ref: 'strat-a:o1', contract, side: 'BUY', quantity: 100, order_type: 'LMT', limit_price: '187.25', tif: 'DAY', strategy: 'a', signal_id: 's1', decision_price: '187.20', arrival_price: '187.22' } },
    order_status: { account: 'DU1', payload: { client_order_id: 'o1', status: 'Submitted', filled: '0', remaining: '100', perm_id: '9223372036854775807' } },
    order_cancel_requested: { account: 'DU1', payload: { client_order_id: 'o1', reason: 'timeout' } },
    order_modified: { account: 'DU1', payload: { client_order_id: 'o1', limit_price: '187.30' } },
    execution: { account: 'DU1', payload: { exec_id: '0000e0d5.6571b0c4.01.01', client_order_id: 'o1', contract, side: 'BUY', quantity: '0.0001', price: 123.456789, commission: '1.00', commission_currency: 'USD' } },
    commission: { account: 'DU1', payload: { exec_id: '0000e0d5.6571b0c4.01.01', commission: '1.05', currency: 'USD', realized_pnl: '-3.20' } },
    position_snapshot: { account: 'DU1', payload: { positions: [{ contract, quantity: '-50', avg_cost: '180.5' }] } },
    account_snapshot: { account: 'DU1', payload: { base_currency: 'USD', net_liquidation: '100000.00', cash: [{ currency: 'USD', amount: '5000.25' }, { currency: 'EUR', amount: '-10' }] } },
    cash_flow: { account: 'DU1', payload: { flow_id: 'div-2026-11-AAPL', kind: 'dividend', currency: 'USD', amount: '24.00', value_date: '2026-11-13', contract, description: 'AAPL cash dividend USD 0.24 per share' } },
    pnl: { account: 'DU1', payload: { currency: 'USD', daily: '-12.5', realized: '0', unrealized: '40.75' } },
    signal: { payload: { signal_id: 's1', strategy: 'a', symbol: 'AAPL', direction: 'long', strength: '0.8', features: { rsi: 28.5 } } },
    config_change: { actor: 'alice', payload: { key: 'risk.max_position', old: 100, new: 200, reason: 'more room' } },
    user_action: { actor: 'alice', payload: { action: 'pause_trading', target: 'strategy-a', reason: 'news' } },
    connection: { payload: { peer: 'tws', state: 'disconnected', detail: 'socket closed', code: 1100 } },
    system: { payload: { event: 'started', version: '1.2.3' } },
};
// One refusal per type: [changed item, field named, reason pattern].
const REFUSED = {
    order_submitted: [{ payload: { ...VALID.order_submitted.payload, limit_price: undefined } }, 'payload.limit_price', /required for order_type LMT/],
    order_status: [{ payload: { ...VALID.order_status.payload, status: 'Done' } }, 'payload.status', /must be one of PendingSubmit/],
    order_cancel_requested: [{ account: undefined }, 'account', /required for order_cancel_requested/],
    order_modified: [{ payload: { client_order_id: 'o1' } }, 'payload', /must change at least one/],
    execution: [{ payload: { ...VALID.execution.payload, quantity: '1e3' } }, 'payload.quantity', /not a plain decimal/],
    commission: [{ payload: { exec_id: 'e1', commission: 'free', currency: 'USD' } }, 'payload.commission', /not a plain decimal/],
    position_snapshot: [{ payload: { positions: [{ contract: { ...contract, currency: 'usd' }, quantity: '1' }] } }, 'payload.positions[0].contract.currency', /3-letter currency code/],
    account_snapshot: [{ payload: { ...VALID.account_snapshot.payload, cash: [{ currency: 'USD' }] } }, 'payload.cash[0].amount', /is required/],
    cash_flow: [{ payload: { kind: 'deposit', currency: 'USD', amount: '-100' } }, 'payload.amount', /must be positive for a deposit/],
    pnl: [{ payload: { currency: 'USD', daily: 12.5, extra: 1 } }, 'payload.extra', /not a known field/],
    signal: [{ payload: { signal_id: 's1' } }, 'payload.strategy', /is required/],
    config_change: [{ actor: undefined }, 'actor', /required for config_change/],
    user_action: [{ payload: { action: '' }, actor: 'bob' }, 'payload.action', /must not be empty/],
    connection: [{ payload: { peer: 'tws', state: 'up' } }, 'payload.state', /must be one of connecting/],
    system: [{ payload: { event: 'started', version: 7 } }, 'payload.version', /must be a string, got number/],
};
function item(type, over = {}) {
    const v = { event_type: type, occurred_at: at, ...VALID[type], ...over };
    // JSON round trip through the exact parser, as the API receives it.
    return parseExact(JSON.stringify(v));
}
t.test('every type has a valid example and a refusal here', async (t) => {
    t.same(Object.keys(VALID).sort(), Object.keys(VOCABULARY).sort());
    t.same(Object.keys(REFUSED).sort(), Object.keys(VOCABULARY).sort());
});
for (const type of Object.keys(VOCABULARY)) {
    t.test(`${type}: accepted, then refused naming the field`, async (t) => {
        const ev = toBotEvent(item(type));
        t.equal(ev.eventType, type);
        t.equal(ev.source, 'bot');
        t.equal(ev.stream, 'bot');
        t.ok(JSON.parse(ev.payload), 'payload is JSON');
        const [over, field, reason] = REFUSED[type];
        try {
            toBotEvent(item(type, over));
            t.fail('accepted');
        }
        catch (err) {
            t.ok(err instanceof EventValidationError);
            t.equal(err.field, field);
            t.match(err.message, reason);
        }
    });
}
t.test('decimals are exact and stored as strings; entity derived', async (t) => {
    const ev = toBotEvent(item('execution'));
    const p = JSON.parse(ev.payload);
    t.equal(p.price, '123.456789');
    t.equal(p.quantity, '0.0001');
    t.same([ev.entityType, ev.entityId, ev.account], ['execution', '0000e0d5.6571b0c4.01.01', 'DU1']);
    const raw = parseExact('{"event_type":"pnl","occurred_at":"2026-11-26T14:30:00Z","account":"DU1","payload":{"currency":"USD","daily":12345678901234567890.123456789}}');
    t.equal(JSON.parse(toBotEvent(raw).payload).daily, '12345678901234567890.123456789');
    t.throws(() => toBotEvent(item('execution', { payload: { ...VALID.execution.payload, quantity: '0' } })), { message: /greater than zero/ });
    t.throws(() => toBotEvent(item('system', { colour: 'red' })), { message: /colour: is not a known field/ });
    t.throws(() => toBotEvent(item('nonsense')), { message: /event_type: must be one of order_submitted/ });
    t.throws(() => toBotEvent(item('system', { occurred_at: '2026-11-26 14:30' })), { message: /occurred_at/ });
    t.throws(() => toBotEvent(item('system', { source: 'ib' })), { message: /source: must be bot, user or system/ });
});
t.test('order_submitted.tax_lots: the opening execution ids a sale closes, in order', async (t) => {
    const order = VALID.order_submitted.payload;
    const ok = toBotEvent(item('order_submitted', { payload: { ...order, side: 'SELL', tax_lots: ['0000e0d5.6571b0c4.01.01', 42] } }));
    t.same(JSON.parse(ok.payload).tax_lots, ['0000e0d5.6571b0c4.01.01', '42'], 'ids kept in order, an integer id as a string');
    t.throws(() => toBotEvent(item('order_submitted', { payload: { ...order, tax_lots: '0000e0d5.6571b0c4.01.01' } })), { message: /payload.tax_lots: must be an array, got string/ });
    t.throws(() => toBotEvent(item('order_submitted', { payload: { ...order, tax_lots: ['a', ''] } })), { message: /payload.tax_lots\[1\]: must be a non-empty string/ });
    t.throws(() => toBotEvent(item('order_submitted', { payload: { ...order, tax_lots: Array.from({ length: 1001 }, (_, i) => `e${i}`) } })), { message: /more than 1000 items/ });
});
t.test('the generated reference is up to date (npm run docs)', async (t) => {
    t.equal(fs.readFileSync(path.join(ROOT, 'docs', 'events.md'), 'utf8'), eventsMarkdown(), 'docs/events.md');
    for (const [name, schema] of Object.entries(eventSchemas())) {
        t.same(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'schemas', name), 'utf8')), schema, `docs/schemas/${name}`);
    }
    t.equal(fs.readFileSync(path.join(ROOT, 'db', 'functions', '060_ledger_views.sql'), 'utf8'), viewsSql(), 'db/functions/060_ledger_views.sql');
});
