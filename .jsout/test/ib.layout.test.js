// The layout reader refuses every frame that does not fit its version's layout exactly,
// with a reason that names the field, and never runs away on a bad count; the versions
// where layouts change come out of the layouts themselves. Method: frames written by the
// layouts (as the simulator writes them), then cut, padded and corrupted.
import t from 'tap';
import { changeVersions, readFrame, writeFrame } from "../agent/ib/layout.js";
import { COMPLETED_ORDER, ERR_MSG, EXECUTION_DATA, OPEN_ORDER, ORDER_STATUS, PNL } from "../agent/ib/layouts.js";
import { msg } from "../agent/ib/sim/messages.js";
import { AAPL, tradingDay } from "../agent/ib/sim/scenario.js";
const exec = (sv) => msg.execDetails(-1, AAPL, tradingDay(sv).execution)(sv);
t.test('execDetails: 30, 31, 31 and 32 fields, each right only at its own versions', async (t) => {
    t.same([exec(100).length, exec(135).length, exec(176).length, exec(193).length], [30, 31, 31, 32]);
    // The recorded sessions' 31-field executions: no version field, lastLiquidity last.
    const r = readFrame(EXECUTION_DATA, exec(176), 176);
    t.ok(r.ok);
    if (r.ok)
        t.match(r.msg.f, { req_id: '-1', shares: '1234.5678', price: '123.456789', model_code: 'M1', last_liquidity: '2' });
    if (r.ok)
        t.equal(r.msg.f.pending_price_revision, undefined, 'no pendingPriceRevision before 178');
    // Below 136 the 31 fields start with the message version (10) instead.
    const old = readFrame(EXECUTION_DATA, exec(135), 135);
    t.ok(old.ok && old.msg.v === 10 && old.msg.f.last_liquidity === undefined, 'version field read, no lastLiquidity');
    t.same(readFrame(EXECUTION_DATA, exec(176), 178), { ok: false, reason: '31 fields, but execDetails at server version 178 has more (missing pending_price_revision)' });
    t.same(readFrame(EXECUTION_DATA, [...exec(193), 'extra'], 193), { ok: false, reason: '33 fields, expected 32 for execDetails at server version 193' });
    t.same(readFrame(EXECUTION_DATA, ['11', 'x', '1'], 100), { ok: false, reason: 'message version "x" is not a number' });
});
t.test('a count larger than the frame is refused, not looped on', async (t) => {
    const order = { ...tradingDay(193).openOrder, fields: { algo_strategy: 'Adaptive' }, groups: { algo_params: [{ tag: 'adaptivePriority', value: 'Normal' }] } };
    const frame = msg.openOrder(AAPL, order)(193);
    const r = readFrame(OPEN_ORDER, frame, 193);
    t.ok(r.ok && r.msg.groups.algo_params?.[0]?.value === 'Normal', 'read with its group');
    // The algo parameters' count follows the strategy's name.
    const bad = [...frame];
    bad[bad.indexOf('Adaptive') + 1] = '999999999';
    t.same(readFrame(OPEN_ORDER, bad, 193), { ok: false, reason: 'algo_params_count "999999999" is not a count this frame can hold' });
    bad[bad.indexOf('Adaptive') + 1] = '-1';
    t.notOk(readFrame(OPEN_ORDER, bad, 193).ok, 'nor a negative one');
});
t.test('fields absent at a version are neither read nor written', async (t) => {
    const values = { order_id: 1, status: 'Filled', filled: '1', remaining: '0', avg_fill_price: '2', perm_id: '3', parent_id: 0, last_fill_price: '2', client_id: 7, why_held: '', mkt_cap_price: '9' };
    const before = writeFrame(ORDER_STATUS, values, 130);
    const after = writeFrame(ORDER_STATUS, values, 131);
    t.same([before[1], before.length, after[1], after.length], ['6', 12, '1', 12], 'a version field below 131, mktCapPrice from 131');
    t.same(writeFrame(ERR_MSG, { id: 1, code: 201, message: 'm', advanced_order_reject: '{}' }, 165), ['4', '2', '1', '201', 'm']);
    t.same(writeFrame(PNL, { req_id: 1, daily_pnl: '1', unrealized_pnl: '2', realized_pnl: '3' }, 129), ['94', '1', '1', '2']);
    for (const sv of [150, 176, 177]) {
        const r = readFrame(COMPLETED_ORDER, msg.completedOrder(AAPL, { ...tradingDay(sv).completedOrder, faProfile: 'P' })(sv), sv);
        t.ok(r.ok && (sv < 177 ? r.msg.f.fa_profile === 'P' : r.msg.f.fa_profile === undefined) && r.msg.f.model_code === 'M2', `completedOrder at ${sv}: faProfile ${sv < 177 ? 'read' : 'gone'}`);
    }
});
t.test('the versions where layouts change come from the layouts', async (t) => {
    t.same(changeVersions(EXECUTION_DATA, 100, 193), [103, 136, 178]);
    t.same(changeVersions(ORDER_STATUS, 100, 193), [131]);
    t.same(changeVersions(PNL, 100, 193), [129, 135]);
    t.same(changeVersions(ERR_MSG, 100, 193), [166]);
    t.same(changeVersions(COMPLETED_ORDER, 100, 193), [102, 103, 111, 141, 145, 170, 177, 183, 184]);
    t.same(changeVersions(OPEN_ORDER, 100, 193), [102, 103, 106, 111, 141, 142, 145, 148, 151, 158, 160, 162, 170, 177, 183, 184, 185, 189, 193]);
});
