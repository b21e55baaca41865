// GET /v1/trading-status: may the bot send orders? Against a real PostgreSQL, through an
// agent in this process. Proves it fails closed: 401 without the token; halt with no
// account, with an account never reconciled, with a critical break, with the relay down,
// and overall when any one account halts; ok only when everything is; 503 halt when the
// database is not ready, refuses the query, or does not answer within the deadline.
import t from 'tap';
import { get, inProcessAgent } from "./helpers/agent.js";
import { testDb } from "./helpers/db.js";
import { ACCOUNT, botFill, ibFill, put } from "./helpers/recon.js";
const { url, sql } = await testDb(t);
const agent = await inProcessAgent(t, url);
const OTHER = 'DU7654321';
const hourAgo = new Date(Date.now() - 3600_000).toISOString();
async function status(query = '') {
    const r = await get(agent.port, `/v1/trading-status${query}`);
    return { status: r.status, body: JSON.parse(r.text) };
}
const reconcile = (account) => sql `select * from recon.reconcile(${account}, null, 'all')`;
const relay = (state) => ({ type: 'connection', source: 'ib', stream: 'ib', account: null, entity: 'tws', payload: { peer: 'tws', state } });
t.test('401 without the token', async (t) => {
    for (const token of [null, 'wrong']) {
        const r = await get(agent.port, '/v1/trading-status', token);
        t.equal(r.status, 401);
        t.notMatch(r.text, /"status":"ok"/);
    }
});
t.test('no account at all: halt (fail closed)', async (t) => {
    const r = await status();
    t.equal(r.status, 200);
    t.same(r.body, { status: 'halt', reasons: ['no account has been reconciled'], accounts: [] });
});
t.test('halt until reconciled with the relay connected; ok then; any halting account halts all', async (t) => {
    await put(sql, [botFill('a.01', { at: hourAgo }), ibFill('a.01', { at: hourAgo })]);
    await reconcile(ACCOUNT);
    t.match((await status()).body.reasons.join('\n'), /positions were not compared in the last full reconciliation/, 'positions unverified: halt');
    // This bot reports no positions: it says so once.
    await sql `select recon.set_setting('positions_required', 0, 'the test bot reports no positions')`;
    let r = await status();
    t.equal(r.body.status, 'halt');
    t.same(r.body.accounts.map((a) => [a.account, a.reasons]), [[ACCOUNT, ['IB relay never connected']]]);
    await put(sql, [relay('connected')]);
    await reconcile(ACCOUNT);
    r = await status();
    t.equal(r.status, 200);
    t.equal(r.body.status, 'ok');
    t.same(r.body.reasons, []);
    const [a] = r.body.accounts;
    t.same([a.account, a.status, a.open_breaks, a.critical_breaks, a.relay_state], [ACCOUNT, 'ok', 0, 0, 'connected']);
    t.ok(Date.parse(a.last_run_at) <= Date.parse(a.checked_at), 'when it was last reconciled, and when checked');
    // A second account, never reconciled: the whole answer halts; the first alone is ok.
    await put(sql, [{ ...botFill('b.01', { at: hourAgo }), account: OTHER }]);
    r = await status();
    t.equal(r.body.status, 'halt');
    t.same(r.body.reasons, [`${OTHER}: never reconciled in full`]);
    t.equal((await status(`?account=${ACCOUNT}`)).body.status, 'ok', '?account= asks about one');
    t.same((await status('?account=DU0000000')).body, { status: 'halt', reasons: ['account DU0000000 has not been reconciled'], accounts: [] });
});
t.test('a critical break, or the relay down, halts', async (t) => {
    // 1000 × 187.25 missing at the broker: above the critical amount.
    await put(sql, [botFill('big.01', { at: hourAgo, qty: '1000' })]);
    await reconcile(ACCOUNT);
    let r = await status(`?account=${ACCOUNT}`);
    t.equal(r.body.status, 'halt');
    t.same(r.body.accounts[0].reasons, ['1 critical break(s) open']);
    t.equal(r.body.accounts[0].critical_breaks, 1);
    await sql `select recon.set_setting('severity_critical_amount', 1000000, 'test: no critical break')`;
    await put(sql, [relay('disconnected')]);
    r = await status(`?account=${ACCOUNT}`);
    t.same([r.status, r.body.status, r.body.accounts[0].reasons], [200, 'halt', ['IB relay disconnected']]);
    await put(sql, [relay('connected')]);
    t.equal((await status(`?account=${ACCOUNT}`)).body.status, 'ok', 'the relay back: ok again');
});
t.test('503 halt when the database refuses the query or does not answer in time', async (t) => {
    await sql `revoke select on recon.trading_status from blotter_agent`;
    let r = await status();
    t.equal(r.status, 503);
    t.equal(r.body.status, 'halt');
    t.match(r.body.reasons[0], /^database unreachable: permission denied for view trading_status$/);
    await sql `grant select on recon.trading_status to blotter_agent`;
    // A lock on the ledger holds the query past its deadline (2 s); it is cancelled.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const locked = new Promise((resolve) => {
        void sql.begin(async (tx) => {
            await tx `lock table ledger.events in access exclusive mode`;
            resolve();
            await held;
        });
    });
    await locked;
    const started = Date.now();
    r = await status();
    release();
    t.equal(r.status, 503);
    t.same(r.body.reasons, ['database unreachable: trading status did not finish within 2000 ms']);
    t.ok(Date.now() - started < 4000, 'answered at the deadline, not when the lock went');
    t.equal((await status(`?account=${ACCOUNT}`)).status, 200, 'and 200 again once the lock is gone');
});
t.test('503 halt while the agent has no database', async (t) => {
    const down = await inProcessAgent(t, 'postgres://u:p@127.0.0.1:1/none');
    const r = await get(down.port, '/v1/trading-status');
    t.equal(r.status, 503);
    const body = JSON.parse(r.text);
    t.equal(body.status, 'halt');
    t.match(body.reasons[0], /^database unreachable: (connect ECONNREFUSED|not connected yet)/);
});
