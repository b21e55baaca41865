// Reconciliation in SQL: one scenario per break category and per correction, on a real
// PostgreSQL. Events are put in the journal as the relay and the bot write them; each
// test reconciles with recon.reconcile and reads recon.breaks / recon.runs. Also proves:
// a repeated run appends nothing and says the same; a past run reads only what was
// recorded by then; breaks clear when they no longer appear and reopen when they come
// back; only a reviewer moves a break, the actor is the session user, a resolve needs a
// note; BI sees none of it; a tolerance change is a config_change event.
import postgres from 'postgres';
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { ACCOUNT, botFill, botPositions, ibCommission, ibFill, ibPositions, put } from "./helpers/recon.js";
const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();
async function fresh(t) {
    const db = await testDb(t);
    return db;
}
async function run(sql, scope = 'all', asOf = null) {
    const rows = await sql `select * from recon.reconcile(${ACCOUNT}, ${asOf}::text::timestamptz, ${scope})`;
    return Object.fromEntries(rows.map((r) => [r.entity, r]));
}
const breaks = async (sql) => Object.fromEntries((await sql `select break_id, status, severity, detail from recon.breaks order by 1`).map((r) => [r.break_id, r]));
const now = async (sql) => (await sql `select clock_timestamp()::text as t`)[0].t;
t.test('executions: matched, within tolerance, corrected (fill, commission), pending, and each break', async (t) => {
    const { sql } = await fresh(t);
    const at = hourAgo();
    await put(sql, [
        botFill('m.01', { at }), ibFill('m.01', { at }),
        botFill('tol.01', { at, price: '187.2501' }), ibFill('tol.01', { at }),
        ibFill('ibonly.01', { at }), ibCommission('ibonly.01', '0.35'),
        ibFill('recent.01'),
        botFill('botonly.01', { at }),
        botFill('comm.01', { at }), ibFill('comm.01', { at }), ibCommission('comm.01', '1.00'),
        botFill('commx.01', { at, commission: '2.00' }), ibFill('commx.01', { at }), ibCommission('commx.01', '1.00'),
        botFill('corr.01', { at }), ibFill('corr.01', { at }), ibFill('corr.02', { at, price: '186.00' }),
        botFill('dup.01', { at }), botFill('dup.01', { at }), ibFill('dup.01', { at }),
        botFill('bot-ref-1', { at, orderRef: 'momo:7' }), ibFill('ib-ref-1.01', { at, orderRef: 'momo:7' }),
        botFill('qty.01', { at, qty: '90' }), ibFill('qty.01', { at }),
    ]);
    const r = await run(sql, 'executions');
    t.same([r.execution.total, r.execution.matched, r.execution.within_tolerance, r.execution.corrected, r.execution.pending, r.execution.discrepancies], [11, 2, 1, 2, 1, 5], 'counts per outcome');
    const b = await breaks(sql);
    t.same(Object.keys(b).sort(), [
        'execution.commission_mismatch:commx.01', 'execution.duplicate:dup.01', 'execution.mismatch:corr.02',
        'execution.mismatch:qty.01', 'execution.missing_at_broker:botonly.01',
    ].sort(), 'one break per real difference; a correction that changes the price is a mismatch with the fill it corrects');
    t.same(b['execution.mismatch:qty.01'].detail.fields, [{ field: 'quantity', broker: 100, bot: 90, difference: -10 }], 'the field, both values and the difference');
    const inferred = await sql `select exec_id, quantity::text, price::text, inferred, recon_run, source from ledger.executions where inferred`;
    t.same(inferred.map((x) => [x.exec_id, x.quantity, x.price, x.inferred, x.source]), [['ibonly.01', '100', '187.25', true, 'system']], 'the missing fill is appended, flagged inferred');
    t.ok(inferred[0].recon_run, 'naming the run');
    const comm = await sql `select exec_id, commission::text, inferred from ledger.commissions`;
    t.same(comm.map((x) => [x.exec_id, x.commission, x.inferred]), [['comm.01', '1.00', true]], 'a commission the bot lacks is appended');
    // A later run sees the corrections as matched and adds nothing.
    const before = (await sql `select count(*)::int as n from ledger.events`)[0].n;
    const r2 = await run(sql, 'executions');
    t.equal(r2.execution.corrected, 0, 'nothing left to correct');
    t.equal(r2.execution.matched, 4, 'the inferred fill and the reported commission now match');
    t.equal((await sql `select count(*)::int as n from ledger.events where event_type in ('execution', 'commission') and source = 'system'`)[0].n, 2, 'no correction twice');
    t.equal((await sql `select count(*)::int as n from ledger.events`)[0].n, before + 1, 'only the run event itself');
    t.ok((await sql `select * from ledger.verify()`).every((x) => x.reason === null), 'the chain verifies');
    t.equal((await sql `select count(*)::int as n from ledger.invalid_events`)[0].n, 0, 'corrections follow the vocabulary');
});
t.test('a repeated run appends nothing and returns the same; a past run reads only what was recorded by then', async (t) => {
    const { sql } = await fresh(t);
    await put(sql, [botFill('a.01', { at: hourAgo() }), ibFill('a.01', { at: hourAgo() }), ibFill('b.01', { at: hourAgo() })]);
    const asOf = await now(sql);
    const first = await run(sql, 'executions', asOf);
    const count = (await sql `select count(*)::int as n from ledger.events`)[0].n;
    const again = await run(sql, 'executions', asOf);
    t.same(again, first, 'the same summary, the same run id');
    t.equal((await sql `select count(*)::int as n from ledger.events`)[0].n, count, 'nothing appended');
    // Later events do not change what a past run sees.
    await put(sql, [botFill('late.01', { at: hourAgo() })]);
    const findings = async () => (await sql `select key, category, outcome from recon.check_executions(${ACCOUNT}, ${asOf}::text::timestamptz) order by key`);
    t.same(await findings(), [{ key: 'a.01', category: 'execution.matched', outcome: 'matched' }, { key: 'b.01', category: 'execution.missing_in_bot', outcome: 'corrected' }]);
    t.same(await run(sql, 'executions', asOf), first, 'the past run repeated exactly');
    await t.rejects(sql `select * from recon.reconcile(${ACCOUNT}, now() + interval '1 hour', 'all')`, /in the future/);
    await t.rejects(sql `select * from recon.reconcile(${ACCOUNT}, null, 'everything')`, /unknown scope everything/);
});
t.test('positions: three sources, which one disagrees, and an incomplete snapshot is never read as flat', async (t) => {
    const { sql } = await fresh(t);
    await put(sql, [botPositions([{ conId: 265598, qty: '100' }])]);
    t.equal((await run(sql, 'positions')).position.skipped, 1, 'no IB snapshot: not compared');
    await put(sql, ibPositions('s1', [{ conId: '265598', qty: '100' }, { conId: '111', qty: '5', symbol: 'MSFT' }]));
    // The next snapshot never completes: it must not make the positions look flat.
    await put(sql, ibPositions('s2', [], false));
    await put(sql, [botPositions([{ conId: 265598, qty: '100' }, { conId: 222, qty: '7', symbol: 'IBM' }])]);
    const r = await run(sql, 'positions');
    t.same([r.position.total, r.position.matched, r.position.discrepancies], [3, 1, 2]);
    const b = await breaks(sql);
    t.same(Object.keys(b).sort(), ['position.bot_differs:111', 'position.bot_differs:222'], 'missing in the bot, and held only by the bot');
    t.same(b['position.bot_differs:111'].detail.disagrees, ['bot']);
    t.same(b['position.bot_differs:111'].detail.fields[0], { field: 'quantity', broker: 5, bot: 0, fills: 5, difference: -5 });
    // IB's fills after the opening snapshot: now the snapshot and the fills disagree.
    await put(sql, [ibFill('p.01', { at: new Date(Date.now() + 1000).toISOString(), conId: '265598', qty: '10' })]);
    await put(sql, [botPositions([{ conId: 265598, qty: '100' }, { conId: 111, qty: '5' }])]);
    await new Promise((r) => setTimeout(r, 1100));
    await run(sql, 'positions');
    const b2 = await breaks(sql);
    t.equal(b2['position.bot_differs:111'].status, 'cleared', 'a break the run no longer sees is cleared');
    t.equal(b2['position.fills_differ:265598'].status, 'open', 'IB\'s fills add up to 110, its snapshot says 100');
    t.same(b2['position.fills_differ:265598'].detail.disagrees, ['fills']);
});
t.test('cash, net liquidation, P&L and orders', async (t) => {
    const { sql } = await fresh(t);
    const old = hourAgo();
    await put(sql, [
        { type: 'account_snapshot', payload: { base_currency: 'USD', net_liquidation: '100000.00', cash: [{ currency: 'USD', amount: '5000.00' }, { currency: 'EUR', amount: '10.00' }] } },
        { type: 'ib_account_value', source: 'ib', payload: { key: 'CashBalance', value: '5000.004', currency: 'USD' } },
        { type: 'ib_account_value', source: 'ib', payload: { key: 'CashBalance', value: '12.00', currency: 'EUR' } },
        { type: 'ib_account_summary', source: 'ib', payload: { tag: 'NetLiquidation', value: '100000.50', currency: 'USD' } },
        { type: 'pnl', payload: { currency: 'USD', daily: '120.00', realized: '50.00' } },
        { type: 'ib_pnl', source: 'ib', payload: { daily: '300.00', unrealized: '70.00', realized: '50.00' } },
        { type: 'order_submitted', at: old, payload: { client_order_id: 'o1', order_ref: 'momo:1', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, side: 'BUY', quantity: '10', order_type: 'LMT', limit_price: '100', tif: 'DAY' } },
        { type: 'order_status', at: old, payload: { client_order_id: 'o1', status: 'Submitted', filled: '0', remaining: '10' } },
        { type: 'ib_open_order', source: 'ib', payload: { perm_id: '501', order_id: 1, order_ref: 'momo:1', status: 'Submitted' } },
        { type: 'ib_order_status', source: 'ib', stream: 'ib', account: null, entity: '501', payload: { order_id: 1, perm_id: '501', status: 'Filled', filled: '10', remaining: '0' } },
        { type: 'order_submitted', at: old, payload: { client_order_id: 'o2', order_ref: 'momo:2', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD' }, side: 'BUY', quantity: '10', order_type: 'MKT', tif: 'DAY' } },
        { type: 'ib_open_order', source: 'ib', payload: { perm_id: '777', order_id: 0, order_ref: null, status: 'Submitted' } },
    ]);
    const r = await run(sql);
    t.same([r.cash.within_tolerance, r.cash.discrepancies], [1, 1], 'USD within a cent; EUR off by 2');
    t.equal(r.account.within_tolerance, 1, 'net liquidation within tolerance');
    t.equal(r.pnl.discrepancies, 1, 'daily P&L differs');
    t.equal(r.order.discrepancies, 3);
    const b = await breaks(sql);
    t.same(Object.keys(b).sort(), ['cash.mismatch:EUR', 'order.status_mismatch:o1', 'order.unacknowledged:o2', 'order.unknown_to_bot:perm:777', 'pnl.mismatch:account'].sort());
    t.same(b['order.status_mismatch:o1'].detail.fields, [{ field: 'status', broker: 'Filled', bot: 'Submitted' }]);
});
t.test('break workflow: only a reviewer moves a break, the actor is the session user; BI sees nothing', async (t) => {
    const { sql, url } = await fresh(t);
    await put(sql, [botFill('x.01', { at: hourAgo() })]);
    await run(sql, 'executions');
    const id = 'execution.missing_at_broker:x.01';
    const as = (role) => {
        const c = postgres(url, { max: 1, onnotice: () => { }, connection: { role } });
        t.teardown(() => c.end({ timeout: 1 }));
        return c;
    };
    const agent = as('blotter_agent');
    await t.rejects(agent `select recon.review_break(${id}, 'resolve', 'fine')`, { code: '42501' }, 'the agent cannot move a break');
    const [ts] = await agent `select status, reasons from recon.trading_status`;
    t.equal(ts.status, 'halt', 'the agent reads trading status');
    const bi = as('blotter_bi');
    await t.rejects(bi `select * from recon.breaks`, { code: '42501' }, 'BI sees no breaks');
    await t.rejects(bi `select * from recon.trading_status`, { code: '42501' });
    const reviewer = as('blotter_reviewer');
    await t.rejects(reviewer `select recon.review_break(${id}, 'resolve', '')`, /needs a note/);
    t.equal((await reviewer `select recon.review_break(${id}, 'acknowledge', null) as s`)[0].s, 'acknowledged');
    t.equal((await reviewer `select recon.review_break(${id}, 'escalate', 'broker ticket 42') as s`)[0].s, 'escalated');
    t.equal((await reviewer `select recon.review_break(${id}, 'resolve', 'a test order the broker busted') as s`)[0].s, 'resolved');
    await t.rejects(reviewer `select recon.review_break(${id}, 'acknowledge', null)`, /already resolved/);
    await t.rejects(reviewer `select recon.review_break('nope', 'acknowledge', null)`, /no break nope/);
    const history = await sql `select what, actor, note from recon.break_history where break_id = ${id} order by seq`;
    const user = (await sql `select session_user as u`)[0].u;
    t.same(history.map((h) => h.what), ['opened', 'acknowledge', 'escalate', 'resolve']);
    t.same(history.slice(1).map((h) => h.actor), [user, user, user], 'the actor is the session user, not a parameter');
    t.equal((await sql `select status from recon.breaks where break_id = ${id}`)[0].status, 'resolved');
    await t.rejects(agent `update recon.tolerances set abs_tol = 1`, { code: '42501' }, 'tolerances are not the agent\'s to change');
});
t.test('a tolerance change is a config_change event naming who changed what from what to what', async (t) => {
    const { sql } = await fresh(t);
    await t.rejects(sql `select recon.set_tolerance('execution.price', '*', 0, 0.001, '')`, /a reason is required/);
    await sql `select recon.set_tolerance('execution.price', '*', 0, 0.001, 'IB rounds to 4 decimals')`;
    const [c] = await sql `select key, old, new, reason, actor from ledger.config_changes`;
    t.same([c.key, c.old, c.new, c.reason], ['recon.tolerances.execution.price.*', { abs_tol: 0, rel_tol: 0.0001 }, { abs_tol: 0, rel_tol: 0.001 }, 'IB rounds to 4 decimals']);
    t.equal(c.actor, (await sql `select session_user as u`)[0].u);
    await sql `select recon.set_setting('fill_window_s', 30, 'faster relay')`;
    t.equal((await sql `select recon.setting('fill_window_s')::int as v`)[0].v, 30);
});
t.test('after a fill, only the new fills and their instruments are looked at; other breaks stay', async (t) => {
    const { sql } = await fresh(t);
    const at = hourAgo();
    await put(sql, [botFill('old.01', { at }), ...ibPositions('s1', [{ conId: '265598', qty: '100' }]), botPositions([{ conId: 265598, qty: '100' }])]);
    await run(sql);
    t.ok((await breaks(sql))['execution.missing_at_broker:old.01'], 'a break from the full run');
    await put(sql, [botFill('new.01', { at: new Date(Date.now() + 200).toISOString() }), ibFill('new.01', { at: new Date(Date.now() + 200).toISOString(), qty: '101' })]);
    await new Promise((r) => setTimeout(r, 300));
    const r = await run(sql, 'after_fill');
    t.equal(r.execution.total, 1, 'only the new fill');
    t.equal(r.execution.discrepancies, 1);
    const b = await breaks(sql);
    t.equal(b['execution.missing_at_broker:old.01'].status, 'open', 'a partial run does not clear what it did not look at');
    t.equal(b['execution.mismatch:new.01'].status, 'open');
    const [runRow] = await sql `select payload from ledger.events where event_type = 'recon_run' order by seq desc limit 1`;
    t.ok(runRow.payload.partial_since, 'the run says it was partial, and since when');
});
t.test('severity grows with the amount and with age, by the thresholds in recon.settings', async (t) => {
    const { sql } = await fresh(t);
    const sev = async (amount, age) => (await sql `select recon.severity(${amount}::numeric, ${age}::interval) as s`)[0].s;
    t.same([await sev('10', '0'), await sev('1000', '0'), await sev('10000', '0'), await sev('100000', '0')], ['low', 'medium', 'high', 'critical']);
    t.same([await sev('10', '1 day'), await sev('10', '3 days'), await sev('10', '5 days')], ['medium', 'high', 'critical']);
    await sql `select recon.set_setting('severity_critical_amount', 50000, 'smaller account')`;
    t.equal(await sev('60000', '0'), 'critical', 'thresholds are settings');
});
t.test('a run goes stale by the market clock: max_run_age_s while open, and before the last close while closed', async (t) => {
    const { sql } = await fresh(t);
    const due = async (at) => (await sql `select market_open, due_at::text as due from recon.run_due_at(${at}::timestamptz)`)[0];
    // Wednesday 2026-11-25, 11:00 New York (16:00 UTC): open; due 90 minutes before now.
    t.same(await due('2026-11-25T16:00:00Z'), { market_open: true, due: '2026-11-25 14:30:00+00' });
    // Thanksgiving (closed) and the morning after: the last close was Wednesday 16:00 New York.
    t.same(await due('2026-11-26T18:00:00Z'), { market_open: false, due: '2026-11-25 19:30:00+00' });
    // The early close of Friday 2026-11-27 (13:00 New York = 18:00 UTC): at 14:00 New York the
    // market is closed and the close run (13:15) must be recent enough.
    t.same(await due('2026-11-27T19:00:00Z'), { market_open: false, due: '2026-11-27 16:30:00+00' });
    // Saturday: still Friday's close.
    t.same(await due('2026-11-28T15:00:00Z'), { market_open: false, due: '2026-11-27 16:30:00+00' });
});
