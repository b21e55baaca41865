// What `npm run fuzz` found, each pinned: an item the API accepted that the database then
// refused (a long account or idempotency key past a btree index row, a stream past 200
// bytes, a 5,000-digit integer id, an occurred_at offset of +16:00 or +05:60) stalled the
// writer or was set aside, accepted yet never written; `constructor` or `toString` passed
// for envelope fields; payload timestamps took Feb 30 and 24:00; a number's parse depended
// on the rest of the body (a space before a colon, -0); a client that closed mid-body was
// counted and logged as a 500. Method: the validator and parser directly, a real Spool and
// Writer on a real PostgreSQL for the writer, an agent for the HTTP case.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { Spool } from "../agent/ingest/spool.js";
import { toBotEvent } from "../agent/ingest/vocabulary.js";
import { toRecord, Writer } from "../agent/ingest/writer.js";
import { EventValidationError } from "../agent/ledger/event.js";
import { parseExact, stringifyExact } from "../agent/ledger/json.js";
import { testDb } from "./helpers/db.js";
import { get, inProcessAgent, order, TOKEN, until } from "./helpers/agent.js";
const { url, sql } = await testDb(t);
function problems(item) {
    try {
        toBotEvent(item);
        return [];
    }
    catch (err) {
        if (!(err instanceof EventValidationError))
            throw err;
        return err.problems.map((p) => `${p.field}: ${p.reason}`);
    }
}
t.test('inherited names are not envelope fields', async (t) => {
    for (const k of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
        const item = parseExact(JSON.stringify(order(1)).slice(0, -1) + `,${JSON.stringify(k)}:1}`);
        t.match(problems(item), [new RegExp(`^${k}: is not a known field`)], k);
    }
});
t.test('envelope text is limited in bytes, the stream to 200 (its column), others to 1000', async (t) => {
    t.same(problems(order(1, { stream: 's'.repeat(200) })), []);
    t.match(problems(order(1, { stream: 'é'.repeat(101) })), [/^stream: must be a non-empty string of at most 200 bytes/]);
    t.same(problems(order(1, { account: 'a'.repeat(1000) })), []);
    t.match(problems(order(1, { account: '😀'.repeat(251) })), [/^account: .*at most 1000 bytes/]);
    t.match(problems(order(1, { idempotency_key: '€'.repeat(400) })), [/^idempotency_key: .*at most 1000 bytes/]);
});
t.test('an integer id is held to 200 digits, as a string id is', async (t) => {
    const withId = (digits) => parseExact(JSON.stringify(order(1)).replace('"client_order_id":"1"', `"client_order_id":${'9'.repeat(digits)}`));
    t.same(problems(withId(200)), []);
    t.match(problems(withId(201)), [/^payload.client_order_id: must be a non-empty string \(or an integer\) of at most 200/]);
});
t.test('timestamps: an offset PostgreSQL takes, a day that exists, no 24:00 — in the payload too', async (t) => {
    t.same(problems(order(1, { occurred_at: '2026-11-26T14:30:00+15:59' })), []);
    for (const at of ['2026-11-26T14:30:00+16:00', '2026-11-26T14:30:00+05:60', '2026-11-26T14:30:00-9999']) {
        t.match(problems(order(1, { occurred_at: at })), [/^occurred_at: .*offset outside/], at);
    }
    for (const till of ['2026-02-30T00:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T14:30:00+99:00']) {
        const o = order(1);
        const item = { ...o, payload: { ...o.payload, tif: 'GTD', good_till: till } };
        t.match(problems(item), [/^payload.good_till: /], till);
    }
});
t.test('a number parses the same whatever else the body holds', async (t) => {
    // A space before the colon sent 1.50 through a double (1.5, or refused as not a decimal).
    t.equal(stringifyExact(parseExact('{"a" : 1.50, "b"\n:\t0.12345678901234567891}')), '{"a":1.50,"b":0.12345678901234567891}');
    // -0 kept its sign only when another number made the body "risky".
    t.equal(stringifyExact(parseExact('{"a":-0}')), stringifyExact(parseExact('{"a":-0,"b":1.5}')).replace(',"b":1.5', ''));
    const withAmount = (extra) => {
        const text = JSON.stringify({ ...order(1), payload: { ...order(1).payload, quantity: '1' } }).replace('"limit_price":"187.25"', `"limit_price":-0${extra}`);
        return toBotEvent(parseExact(text)).payload;
    };
    t.equal(withAmount(''), withAmount(',"stop_price":1.5').replace(',"stop_price":"1.5"', ''), 'same item, same event');
});
t.test('the writer sets aside a record past an index row limit instead of retrying it forever', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-writer-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const spool = new Spool({ dir, quotaBytes: 1e9, segmentBytes: 1e8, groupCommitMs: 0 });
    spool.open();
    const writer = new Writer({
        spool, connect: () => postgres(url, { max: 1, onnotice: () => { } }), batchSize: 1000, batchWaitMs: 5, retryMaxMs: 200,
        writeTimeoutMs: 10_000, stallMs: 10_000, log: () => { },
    });
    const ev = (key, account) => ({
        stream: 'w', occurredAt: '2026-11-26T14:30:00.000001Z', source: 'bot', eventType: 'order_cancel_requested', entityType: 'order', entityId: key,
        account, actor: null, sessionId: null, idempotencyKey: key, payload: JSON.stringify({ client_order_id: key }),
    });
    // Random text does not compress: 4,000 bytes of it is past btree's 2,704 per row of the
    // index on orders by account (events_client_order_idx).
    const long = randomBytes(2000).toString('hex');
    await spool.append([toRecord(ev('ix-1', 'DU1')), toRecord(ev('ix-2', long)), toRecord(ev('ix-3', 'DU1'))]);
    writer.start();
    await until(async () => !spool.hasPending(), 15_000);
    await writer.stop(1000);
    const keys = (await sql `select idempotency_key as k from ledger.events where idempotency_key like 'ix-%' order by seq`).map((r) => r.k);
    t.same(keys, ['ix-1', 'ix-3'], 'everything but the record the index refuses');
    t.equal(writer.stats.rejected, 1);
});
t.test('a client that closes mid-body is not a 500', async (t) => {
    const agent = await inProcessAgent(t, url);
    const body = JSON.stringify([order(77)]);
    await new Promise((resolve) => {
        const sock = net.connect({ host: '127.0.0.1', port: agent.port }, () => {
            sock.write(`POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${body.length + 100}\r\n\r\n${body}`);
            setTimeout(() => sock.destroy(), 50);
        });
        sock.on('close', () => resolve());
        sock.on('error', () => { });
    });
    await until(async () => /blotter_ingest_requests_total\{[^}]*status="400"/.test((await get(agent.port, '/metrics')).text), 5000);
    const metrics = (await get(agent.port, '/metrics')).text;
    t.notMatch(metrics, /blotter_ingest_requests_total\{[^}]*status="500"/, 'no request counted as an internal error');
    t.equal((await get(agent.port, '/v1/health')).status, 200, 'the agent answers');
    t.equal((await sql `select count(*)::int as n from ledger.events where idempotency_key = 'order-77'`)[0].n, 0, 'nothing of it written');
});
