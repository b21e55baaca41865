// Execution quality: one buy partly filled then cancelled, one sell filled; every figure
// against the formula of docs/reports.md computed here.
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const at = (m) => new Date(Date.parse('2026-11-23T15:00:00Z') + m * 1000).toISOString();
const order = (id, side, qty, decision, arrival) => ({
    type: 'order_submitted', at: at(0), key: `o:${id}`,
    payload: { client_order_id: id, order_ref: `eq:${id}`, side, quantity: qty, order_type: 'LMT', limit_price: '99', tif: 'DAY', strategy: 'mean-rev',
        decision_price: decision, arrival_price: arrival, contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 } },
});
const fill = (exec, ref, side, qty, price, s) => [ibFill(exec, { orderRef: ref, side, qty, price, at: at(s) }), ibCommission(exec, '0.5')];
t.test('slippage and implementation shortfall per order, and by day', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [
        order('b1', 'BUY', '100', '10.00', '10.02'),
        ...fill('0000ff01.00000001.01.01', 'eq:b1', 'BOT', '60', '10.05', 2),
        ...fill('0000ff01.00000002.01.01', 'eq:b1', 'BOT', '20', '10.07', 9),
        { type: 'order_cancel_requested', at: at(30), payload: { client_order_id: 'b1' } },
        order('s1', 'SELL', '50', '20', '19.99'),
        ...fill('0000ff01.00000003.01.01', 'eq:s1', 'SLD', '50', '19.95', 4),
    ]);
    await refreshReports(sql);
    const q = Object.fromEntries((await sql `select * from reports.execution_quality where account = ${ACCOUNT}`).map((r) => [r.client_order_id, r]));
    const n = (v) => Number(v);
    const near = (got, want, what) => t.ok(Math.abs(n(got) - want) < 1e-9, `${what}: ${got} ~ ${want}`);
    const b = q.b1, s = q.s1;
    const avg = (60 * 10.05 + 20 * 10.07) / 80;
    t.same([n(b.filled), n(b.fill_rate), b.fills, b.cancels, b.strategy], [80, 0.8, 2, 1, 'mean-rev']);
    near(b.avg_fill_price, avg, 'average fill');
    near(b.slippage_arrival_bps, (avg - 10.02) / 10.02 * 1e4, 'slippage vs arrival');
    near(b.slippage_decision_bps, (avg - 10.0) / 10.0 * 1e4, 'slippage vs decision');
    near(b.execution_cost, 80 * (avg - 10.02), 'execution cost');
    near(b.delay_cost, 80 * (10.02 - 10.0), 'delay cost');
    near(b.opportunity_cost, 20 * (10.07 - 10.0), 'opportunity cost of the 20 never filled');
    near(b.fees, 1, 'fees');
    near(b.shortfall, 80 * (avg - 10.02) + 80 * 0.02 + 20 * 0.07 + 1, 'shortfall');
    t.same([b.first_fill_after, b.last_fill_after], ['00:00:02', '00:00:09'], 'time to first and last fill');
    // A sell: paying less than arrival is a cost, so the sign turns.
    near(s.slippage_arrival_bps, -1 * (19.95 - 19.99) / 19.99 * 1e4, 'sell slippage vs arrival (positive: a cost)');
    near(s.execution_cost, -1 * 50 * (19.95 - 19.99), 'sell execution cost');
    near(s.opportunity_cost, 0, 'fully filled: no opportunity cost');
    const [d] = await sql `select orders, filled::text, cancels, slippage_arrival_bps from reports.execution_quality_daily where account = ${ACCOUNT}`;
    t.match(d, { orders: 2, filled: '130', cancels: 1 });
    near(d.slippage_arrival_bps, (n(b.slippage_arrival_bps) * 80 + n(s.slippage_arrival_bps) * 50) / 130, 'fill-weighted slippage');
});
