// The morning Flex task: it acts at 07:00 New York on business days (either UTC tick, by
// the season), fetches the session before (Monday: Friday; after a holiday: the session
// before it), imports what IB's Web Service (here its local fake) returns into a real
// database, reconciles the accounts covered (scope statement), and fails naming the query
// when IB refuses, without the token anywhere.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import { fetchAndImport } from "../agent/flex/fetch.js";
import { FlexWriter, tradeRow } from "../agent/flex/write.js";
import { flexFetchDecision, run } from "../agent/jobs/flex_fetch.js";
import { sqlDeps } from "../agent/jobs/recon.js";
import { addDays, calendarOf } from "../agent/jobs/schedule.js";
import { startFlexFake } from "./helpers/flex-fake.js";
import { testDb } from "./helpers/db.js";
const TOKEN = 'tok-SECRET-7f3a91c2';
async function statementXml(dir, account, day) {
    const file = path.join(dir, `${account}-${day}.xml`);
    const w = new FlexWriter(file, { type: 'AF', queryName: 'daily', statements: 1 });
    w.startStatement({ account, fromDate: day, toDate: day, period: '', whenGenerated: `${addDays(day, 3)}T11:00:05Z` });
    w.open('Trades');
    await w.row('Trade', tradeRow(w, { account, execId: '0000e0d5.657aa001.01.01', transactionId: '9001', tradeId: '8001', orderId: '7001', conId: '265598', symbol: 'AAPL', side: 'BUY', quantity: '10', price: '190.01', commission: '1.00', time: `${day}T15:00:00Z` }));
    w.close('Trades');
    w.endStatement();
    await w.end();
    return fs.readFileSync(file, 'utf8');
}
function settings(url, over = {}) {
    return {
        token: TOKEN, queries: ['111'], url, user_agent: 'blotter-test/1', dir: '', date_format: 'auto', fetch_enabled: true, fetch_sessions: 1, poll_ms: 1, max_wait_ms: 10_000,
        throttle_backoff_ms: 1, request_timeout_ms: 5000, import_timeout_ms: 60_000, ...over,
    };
}
const helpers = (id) => ({ job: { id, created_at: new Date() } });
const tick = (iso) => ({ _cron: { ts: iso, backfilled: false } });
t.test('07:00 New York on business days, for the session before', async (t) => {
    const { sql } = await testDb(t);
    const deps = sqlDeps(sql, pino({ level: 'silent' }), { reconTimeoutMs: 5000 });
    const cal = calendarOf(await deps.sessions('2026-06-20', '2026-12-10'));
    const d = (iso) => flexFetchDecision(new Date(iso), cal);
    t.match(d('2026-11-30T12:00:00Z'), { due: true, from: '2026-11-27', day: '2026-11-29' }, 'Monday in standard time (12:00 UTC): Friday (an early close) to Sunday');
    t.match(d('2026-11-30T11:00:00Z'), { due: false }, '06:00 New York');
    t.match(d('2026-07-06T11:00:00Z'), { due: true, from: '2026-07-02', day: '2026-07-05' }, 'daylight time (11:00 UTC); Friday 3 July is a holiday: Thursday to Sunday');
    t.match(d('2026-07-06T12:00:00Z'), { due: false }, '08:00 New York in daylight time');
    t.match(d('2026-11-26T12:00:00Z'), { due: false, why: /holiday/ }, 'Thanksgiving');
    t.match(d('2026-11-28T12:00:00Z'), { due: false, why: /weekend/ }, 'Saturday');
    t.match(d('2026-12-01T12:00:00Z'), { due: true, day: '2026-11-30', from: '2026-11-30' }, 'Tuesday: Monday');
    t.match(flexFetchDecision(new Date('2026-12-01T12:00:00Z'), cal, 5), { due: true, from: '2026-11-23', day: '2026-11-30' }, 'five sessions back, Thanksgiving not among them: Monday 23 to Monday 30');
});
t.test('the task fetches, imports into the ledger and reconciles the account against it', async (t) => {
    const { sql } = await testDb(t);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-flexjob-'));
    t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
    const fake = await startFlexFake({ token: TOKEN, statements: { 111: await statementXml(home, 'U7', '2026-11-27') }, pollsBeforeReady: { 111: 2 } });
    t.teardown(() => fake.close());
    const lines = [];
    const log = pino({ level: 'debug' }, { write: (s) => { lines.push(s); } });
    const calls = [];
    const recon = { ...sqlDeps(sql, log, { reconTimeoutMs: 5000 }), reconcile: async (account, _asOf, scope) => { calls.push({ account, scope }); } };
    const s = settings(fake.url);
    const task = run({ log, settings: s, recon, fetchAndImport: (q, from, to) => fetchAndImport(sql, { settings: s, home, queryId: q, fromDate: from, toDate: to, log }) });
    await task(tick('2026-11-30T11:00:00.000Z'), helpers('1'));
    t.equal(fake.requests.length, 0, '06:00 New York: nothing fetched');
    await task(tick('2026-11-30T12:00:00.000Z'), helpers('2'));
    const send = fake.requests.find((r) => r.path.endsWith('/SendRequest'));
    t.match(send.query, { q: '111', fd: '20261127', td: '20261129', v: '3' }, 'asks for Friday to Sunday explicitly');
    t.equal(fake.requests.filter((r) => r.path.endsWith('/GetStatement')).length, 3, 'polled while IB generated it');
    const [st] = await sql `select account, to_char(from_date, 'YYYY-MM-DD') as from_date, file from ledger.flex_statements`;
    t.match(st, { account: 'U7', from_date: '2026-11-27' });
    t.ok(fs.existsSync(path.join(home, 'flex', st.file)), 'the statement file is kept under $BLOTTER_HOME/flex');
    const [f] = await sql `select exec_id, quantity::text, commission::text from ledger.flex_trades`;
    t.same(f, { exec_id: '0000e0d5.657aa001.01.01', quantity: '10', commission: '1.00' });
    t.same(calls, [{ account: 'U7', scope: 'statement' }], 'the account reconciled against it');
    // The retry of the same morning (or the next tick) adds nothing.
    await task(tick('2026-11-30T12:00:00.000Z'), helpers('3'));
    const [n] = await sql `select count(*)::int as n from ledger.events where source = 'flex'`;
    t.equal(n.n, 2, 'one fill and one statement, once');
    t.notOk(lines.join('').includes(TOKEN), 'the token is in no log line');
});
t.test('refused by IB: the job fails naming the query, never the token; unconfigured: nothing', async (t) => {
    const { sql } = await testDb(t);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-flexjob-'));
    t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
    const fake = await startFlexFake({ token: 'another-token', statements: { 111: '<x/>' } });
    t.teardown(() => fake.close());
    const lines = [];
    const log = pino({ level: 'debug' }, { write: (s) => { lines.push(s); } });
    const recon = { ...sqlDeps(sql, log, { reconTimeoutMs: 5000 }), reconcile: async () => { } };
    const s = settings(fake.url);
    const task = run({ log, settings: s, recon, fetchAndImport: (q, from, to) => fetchAndImport(sql, { settings: s, home, queryId: q, fromDate: from, toDate: to, log }) });
    // A refusal no retry can change (a bad token) completes the job, logged as an error.
    await task(tick('2026-11-30T12:00:00.000Z'), helpers('1'));
    const failed = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    t.match(failed.map((l) => l.msg).join('\n'), /flex_fetch: query 111 failed/);
    t.match(lines.join(''), /FLEX_TOKEN_INVALID|token is invalid/i);
    t.notOk(lines.join('').includes(TOKEN), 'not in the log');
    // One that may pass later (IB busy) fails the job, which graphile-worker retries.
    const busy = await startFlexFake({ token: TOKEN, statements: { 111: '<x/>' },
        script: Array.from({ length: 50 }, () => ({ on: 'SendRequest', code: 1001, message: 'Statement could not be generated at this time. Please try again shortly.' })) });
    t.teardown(() => busy.close());
    const s2 = settings(busy.url, { max_wait_ms: 1000, poll_ms: 100 });
    const task2 = run({ log, settings: s2, recon, fetchAndImport: (q, from, to) => fetchAndImport(sql, { settings: s2, home, queryId: q, fromDate: from, toDate: to, log }) });
    const err = await Promise.resolve(task2(tick('2026-11-30T12:00:00.000Z'), helpers('2'))).then(() => null, (e) => e);
    t.match(err?.message, /flex_fetch for 2026-11-27 to 2026-11-29: query 111: .*not fetched within maxWaitMs/);
    t.notOk(String(err?.message).includes(TOKEN), 'not in the error');
    const before = fake.requests.length;
    for (const off of [{ token: '' }, { queries: [] }, { fetch_enabled: false }]) {
        const quiet = run({ log, settings: settings(fake.url, off), recon, fetchAndImport: async () => { throw new Error('must not fetch'); } });
        await quiet(tick('2026-11-30T12:00:00.000Z'), helpers('2'));
    }
    t.equal(fake.requests.length, before, 'no request without token, queries or with fetch disabled');
});
