// The TWS simulator speaks the real socket protocol: the real @stoqey/ib IBApi client
// connects to it, negotiates the version, and decodes every message the simulator sends
// into the events a relay listens to, with the exact wire text alongside; at every server
// version where a layout changes, with no underrun and no field left over, except where
// the library itself misreads what TWS sends (shown below).
import t, {} from 'tap';
import { EventName, IBApi } from '@stoqey/ib';
import { TwsSimulator } from "../agent/ib/sim/server.js";
import { readFrame } from "../agent/ib/layout.js";
import { RECORDED } from "../agent/ib/layouts.js";
import { msg } from "../agent/ib/sim/messages.js";
import { tradingDay, versionsToTest } from "../agent/ib/sim/scenario.js";
import { frame } from "../agent/ib/sim/wire.js";
const loose = (ib) => ib;
const AAPL = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
async function connected(t, sim, clientId = 0) {
    const port = await sim.listen();
    const ib = new IBApi({ host: '127.0.0.1', port });
    const received = [];
    loose(ib).on(EventName.received, (tokens) => received.push(tokens));
    const ready = new Promise((resolve) => {
        let orderId = -1;
        let accounts = '';
        loose(ib).on(EventName.nextValidId, (id) => { orderId = id; if (accounts)
            resolve({ orderId, accounts }); });
        loose(ib).on(EventName.managedAccounts, (a) => { accounts = a; if (orderId >= 0)
            resolve({ orderId, accounts }); });
    });
    ib.connect(clientId);
    t.teardown(async () => {
        ib.disconnect();
        await sim.close();
    });
    return { ib, port, received, ready: await ready };
}
t.test('handshake, version negotiation, START_API with the clientId', async (t) => {
    const sim = new TwsSimulator({ accounts: ['DU111', 'DU222'], nextOrderId: 42 });
    const { ib, ready } = await connected(t, sim, 7);
    t.same(ready, { orderId: 42, accounts: 'DU111,DU222' });
    t.equal(ib.serverVersion, 193, 'the highest version the client supports');
    t.equal([...sim.clients][0].clientId, 7);
    const time = await new Promise((resolve) => {
        loose(ib).once(EventName.currentTime, resolve);
        ib.reqCurrentTime();
    });
    t.ok(Math.abs(time - Date.now() / 1000) < 5, 'currentTime answered');
});
t.test('executions, commission reports, positions, account summary decode exactly', async (t) => {
    const sim = new TwsSimulator({
        executions: [{
                contract: AAPL,
                execution: { orderId: 3, execId: '0000e0d5.6571b0c4.01.01', time: '20261126  09:30:01 US/Eastern', account: 'DU1234567', exchange: 'ISLAND', side: 'BOT', shares: '0.0001', price: '123.456789', permId: '2147483999', clientId: 0, cumQty: '0.0001', avgPrice: '123.456789', orderRef: 'momo:42' },
                commission: { commission: '1.0005', currency: 'USD' },
            }],
        positions: [{ account: 'DU1234567', contract: AAPL, pos: '-50', avgCost: '180.5' }],
        summary: [{ account: 'DU1234567', tag: 'NetLiquidation', value: '100000.01', currency: 'USD' }],
    });
    const { ib, received } = await connected(t, sim);
    const execs = [];
    const commissions = [];
    loose(ib).on(EventName.execDetails, (reqId, contract, execution) => execs.push({ reqId, contract, execution }));
    loose(ib).on(EventName.commissionReport, (r) => commissions.push(r));
    await new Promise((resolve) => {
        loose(ib).once(EventName.execDetailsEnd, () => resolve());
        ib.reqExecutions(11, {});
    });
    t.equal(execs.length, 1);
    t.same([execs[0].reqId, execs[0].contract.conId], [11, 265598]);
    t.match(execs[0].execution, { execId: '0000e0d5.6571b0c4.01.01', time: '20261126  09:30:01 US/Eastern', side: 'BOT', orderRef: 'momo:42', permId: 2147483999 });
    const wire = received.find((r) => r[0] === '11');
    t.same([wire[19], wire[20]], ['0.0001', '123.456789'], 'shares and price exact on the wire');
    t.equal(commissions.length, 1);
    t.match(commissions[0], { execId: '0000e0d5.6571b0c4.01.01', commission: 1.0005, currency: 'USD' });
    t.equal(commissions[0].realizedPNL, undefined, 'Double.MAX_VALUE (unset) decodes as undefined');
    const positions = [];
    await new Promise((resolve) => {
        loose(ib).on(EventName.position, (...args) => positions.push(args));
        loose(ib).once(EventName.positionEnd, () => resolve());
        ib.reqPositions();
    });
    t.same([positions[0][0], positions[0][2], positions[0][3]], ['DU1234567', -50, 180.5]);
    const summary = [];
    await new Promise((resolve) => {
        loose(ib).on(EventName.accountSummary, (...args) => summary.push(args));
        loose(ib).once(EventName.accountSummaryEnd, () => resolve());
        ib.reqAccountSummary(5, 'All', 'NetLiquidation');
    });
    t.same(summary[0], [5, 'DU1234567', 'NetLiquidation', '100000.01', 'USD']);
});
t.test('1100 and 1102 arrive as info, an order error as error; a dropped socket as disconnected', async (t) => {
    const sim = new TwsSimulator();
    const { ib } = await connected(t, sim);
    const infos = [];
    const errors = [];
    loose(ib).on(EventName.info, (...a) => infos.push(a));
    loose(ib).on(EventName.error, (err, code, reqId) => errors.push([err.message, code, reqId]));
    sim.broadcast(msg.error(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
    sim.broadcast(msg.error(-1, 1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.'));
    sim.broadcast(msg.error(3, 201, 'Order rejected - reason:'));
    await new Promise((r) => setTimeout(r, 200));
    t.same(infos.map((i) => i[1]), [1100, 1102]);
    t.same(errors.map((e) => [e[1], e[2]]), [[201, 3]]);
    const gone = new Promise((resolve) => loose(ib).once(EventName.disconnected, () => resolve()));
    sim.dropAll();
    await gone;
    t.pass('disconnected');
});
t.test('openOrder decodes field by field at version 193', async (t) => {
    const sim = new TwsSimulator({
        openOrders: [{ contract: AAPL, order: { orderId: 101, action: 'BUY', totalQuantity: '150', orderType: 'LMT', lmtPrice: '187.30', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:42', clientId: 7, permId: '1900000101', status: 'Submitted' } }],
    });
    const { ib, received } = await connected(t, sim);
    const errors = [];
    loose(ib).on(EventName.error, (e) => errors.push(e.message));
    const orders = [];
    await new Promise((resolve) => {
        loose(ib).on(EventName.openOrder, (...a) => orders.push(a));
        loose(ib).once(EventName.openOrderEnd, () => resolve());
        ib.reqAllOpenOrders();
    });
    t.equal(orders.length, 1);
    t.same(errors, [], 'no underrun, no unprocessed fields');
    const [orderId, contract, order, state] = orders[0];
    t.equal(orderId, 101);
    t.match(contract, { conId: 265598, symbol: 'AAPL', secType: 'STK', currency: 'USD' });
    t.match(order, { action: 'BUY', totalQuantity: 150, orderType: 'LMT', lmtPrice: 187.3, tif: 'DAY', account: 'DU1234567', orderRef: 'momo:42', clientId: 7, permId: 1900000101 });
    t.equal(state.status, 'Submitted');
    t.equal(received.find((r) => r[0] === '5').length, msg.openOrder(AAPL, { orderId: 1, action: 'BUY', totalQuantity: '1', orderType: 'LMT', tif: 'DAY', account: 'x', clientId: 0, permId: '1', status: 'Submitted' })(193).length, 'every field consumed, none left over');
});
t.test('completedOrder decodes field by field', async (t) => {
    const sim = new TwsSimulator({
        completedOrders: [{ contract: AAPL, order: { orderId: 0, action: 'SELL', totalQuantity: '20', orderType: 'LMT', lmtPrice: '190.5', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:43', clientId: 0, permId: '1900000105', status: 'Filled', filledQuantity: '20', completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20' } }],
    });
    const { ib } = await connected(t, sim);
    const done = [];
    const errors = [];
    loose(ib).on(EventName.error, (e) => errors.push(e.message));
    await new Promise((resolve) => {
        loose(ib).on(EventName.completedOrder, (...a) => done.push(a));
        loose(ib).once(EventName.completedOrdersEnd, () => resolve());
        ib.reqCompletedOrders(false);
    });
    t.same(errors, [], 'no decode errors');
    const [contract, order, state] = done[0];
    t.match(contract, { conId: 265598, symbol: 'AAPL' });
    t.match(order, { action: 'SELL', totalQuantity: 20, lmtPrice: 190.5, orderRef: 'momo:43', permId: 1900000105, filledQuantity: 20 });
    t.match(state, { status: 'Filled', completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20' });
});
t.test('a simulator capped below the client\'s lowest version (100) refuses it', async (t) => {
    const sim = new TwsSimulator({}, { maxVersion: 99 });
    const port = await sim.listen();
    t.teardown(() => sim.close());
    const refused = new Promise((resolve) => sim.once('protocolError', resolve));
    const ib = new IBApi({ host: '127.0.0.1', port });
    ib.connect(0);
    t.match((await refused).message, /client offers v100\.\.193; the simulator speaks 100\.\.99/);
    ib.disconnect();
});
t.test('frames are length-prefixed NUL-terminated fields', async (t) => {
    const f = frame([9, 1, 42, null, true]);
    t.equal(f.readUInt32BE(0), f.length - 4);
    t.equal(f.subarray(4).toString(), '9\x001\x0042\x00\x001\x00');
});
// Everything the relay asks for, at one server version, through the raw client.
async function dayThroughClient(t, version) {
    const day = tradingDay(version);
    const sim = new TwsSimulator(day.state, { maxVersion: version });
    const { ib, received } = await connected(t, sim);
    const events = new Map();
    const errors = [];
    loose(ib).on(EventName.all, (name, args) => events.set(name, [...(events.get(name) ?? []), args]));
    loose(ib).on(EventName.error, (e, code) => errors.push([code, e.message]));
    const ended = (name) => new Promise((resolve) => loose(ib).once(name, () => resolve()));
    const waits = [ended(EventName.execDetailsEnd), ended(EventName.positionEnd), ended(EventName.accountSummaryEnd), ended(EventName.accountDownloadEnd), ended(EventName.openOrderEnd)];
    ib.reqExecutions(5, {});
    ib.reqPositions();
    ib.reqAccountSummary(6, 'All', 'NetLiquidation');
    ib.reqAccountUpdates(true, day.account);
    ib.reqAllOpenOrders();
    if (version >= 127) {
        waits.push(ended(EventName.pnl));
        ib.reqPnL(7, day.account, '');
    }
    if (version >= 150) {
        waits.push(ended(EventName.completedOrdersEnd));
        ib.reqCompletedOrders(false);
    }
    waits.push(ended(EventName.orderStatus), ended(EventName.error));
    sim.broadcast(msg.orderStatus(day.orderStatus));
    sim.broadcast(msg.error(9, 201, 'Order rejected - reason: test', day.advancedReject));
    await Promise.all(waits);
    ib.disconnect();
    const first = (name) => events.get(name)?.[0];
    return { day, received, errors, first, serverVersion: ib.serverVersion };
}
t.test('every message decodes at every version where a layout changes', async (t) => {
    // Four versions at a time, each with its own simulator and client.
    const queue = versionsToTest();
    await Promise.all(Array.from({ length: 4 }, async () => {
        for (let v = queue.shift(); v !== undefined; v = queue.shift())
            await checkDay(t, v);
    }));
});
// One version's day through the raw client, checked against what the simulator sent.
async function checkDay(t, v) {
    const { day, received, errors, first, serverVersion } = await dayThroughClient(t, v);
    t.equal(serverVersion, v, `v${v} negotiated`);
    t.same(errors, [[201, 'Order rejected - reason: test']], `v${v}: no underrun, nothing left over, only the error sent`);
    for (const tokens of received.slice(1)) {
        const layout = RECORDED.find((l) => String(l.id) === tokens[0]);
        if (layout)
            t.ok(readFrame(layout, tokens, v).ok, `v${v}: ${layout.event} reads back by its layout`);
    }
    const [reqId, contract, exec] = first(EventName.execDetails);
    t.equal(reqId, 5);
    t.match(contract, { conId: 265598, symbol: 'AAPL', tradingClass: 'AAPL' });
    t.match(exec, { execId: day.execution.execId, shares: 1234.5678, price: 123.456789, permId: 9007199254740993, clientId: 7, orderRef: `v${v}:101`, evMultiplier: 0.5 });
    t.same([exec.modelCode, exec.lastLiquidity, exec.pendingPriceRevision], [v >= 103 ? 'M1' : undefined, v >= 136 ? 2 : undefined, v >= 178 ? true : undefined], `v${v}: execution fields by version`);
    t.match(first(EventName.commissionReport)[0], { execId: day.execution.execId, commission: 1.0005, realizedPNL: 12.34 });
    t.same(first(EventName.position).slice(2), [-0.5, 187.2533]);
    t.same(first(EventName.accountSummary), [6, day.account, 'NetLiquidation', '100000.01', 'USD']);
    t.same(first(EventName.updateAccountValue), ['CashBalance', '71880.005', 'USD', day.account]);
    t.same(first(EventName.updatePortfolio).slice(1), [150, 187.3, 28095, 187.2533, 7.005, 0.5, day.account]);
    t.same(first(EventName.orderStatus).slice(0, 5), [102, 'Filled', 150, 0, 187.2533]);
    t.equal(first(EventName.orderStatus)[10], v >= 131 ? 187.5 : undefined, `v${v}: mktCapPrice`);
    t.same(first(EventName.error)[3], v >= 166 ? { reason: 'test' } : undefined, `v${v}: advanced order reject`);
    if (v >= 127)
        t.same(first(EventName.pnl), [7, -(v + 0.5), v >= 129 ? 7.005 : undefined, v >= 135 ? 5.5 : undefined], `v${v}: P&L`);
    const [orderId, , order, state] = first(EventName.openOrder);
    t.same([orderId, order.orderRef, order.permId, order.lmtPrice, order.totalQuantity, order.tif, state.status], [102, `v${v}:102`, 1_900_000_000 + v, 187.3, 150, 'GTD', 'Submitted']);
    // IB reads modelCode by server version, the library by openOrder's message version
    // (34 below 145): from 103 to 144 its order is one field off from there on.
    const shifted = v >= 103 && v < 145;
    t.same([order.modelCode, order.goodTillDate], shifted ? [undefined, 'M1'] : [v >= 103 ? 'M1' : undefined, '20261231 23:59:59'], `v${v}: openOrder model code and GTD${shifted ? ' (library shifted)' : ''}`);
    if (v >= 150) {
        const [, done, doneState] = first(EventName.completedOrder);
        t.same([done.orderRef, done.permId, done.lmtPrice, done.filledQuantity, doneState.completedTime, doneState.completedStatus], [`v${v}:103`, 2_900_000_000 + v, 190.5, 20, '20261126 15:59:59 America/New_York', 'Filled Size: 20']);
        // Below 177 TWS sends faProfile, which the library never reads: every field after it lands one place off.
        t.same([done.modelCode, done.goodTillDate], v < 177 ? ['', 'M2'] : ['M2', '20261130 16:00:00'], `v${v}: completedOrder model code and GTD${v < 177 ? ' (library shifted)' : ''}`);
    }
}
// Every optional block of an order filled: combo legs, smart routing, delta-neutral leg and
// contract, scale, hedge, algo, peg-to-benchmark and one condition of each type. The
// library decodes it field for field at 193 (openOrder) and 177 (completedOrder), and the
// relay's layout reads the same frame exactly, groups included.
const FULL = {
    fields: {
        reference_contract_id: 12345, is_pegged_change_amount_decrease: 0, pegged_change_amount: '0.5', reference_change_amount: '0.25', reference_exchange_id: 'ISLAND',
        delta_neutral_order_type: 'LMT', delta_neutral_aux_price: '1.5', delta_neutral_con_id: 999, delta_neutral_settling_firm: 'SF', delta_neutral_clearing_account: 'CA',
        delta_neutral_clearing_intent: 'IB', delta_neutral_open_close: 'O', delta_neutral_short_sale: 1, delta_neutral_short_sale_slot: 2, delta_neutral_designated_location: 'LOC',
        hedge_type: 'D', hedge_param: '0.5', combo_legs_description: '1|1,2|-1',
        scale_price_increment: '0.05', scale_price_adjust_value: '0.01', scale_price_adjust_interval: 60, scale_profit_offset: '0.1', scale_auto_reset: 1,
        scale_init_position: 100, scale_init_fill_qty: 50, scale_random_percent: 0,
        algo_strategy: 'Adaptive', delta_neutral_contract: 1, delta_neutral_contract_con_id: 777, delta_neutral_contract_delta: '0.3', delta_neutral_contract_price: '12.5',
        conditions_ignore_rth: 1, conditions_cancel_order: 0,
    },
    groups: {
        combo_legs: [
            { con_id: 1, ratio: 1, action: 'BUY', exchange: 'SMART', open_close: 0, short_sale_slot: 0, designated_location: '', exempt_code: -1 },
            { con_id: 2, ratio: 1, action: 'SELL', exchange: 'SMART', open_close: 0, short_sale_slot: 0, designated_location: '', exempt_code: -1 },
        ],
        order_combo_legs: [{ price: '1.25' }, { price: '' }],
        smart_combo_routing_params: [{ tag: 'NonGuaranteed', value: '1' }],
        algo_params: [{ tag: 'adaptivePriority', value: 'Normal' }],
        conditions: [
            { type: 1, conjunction: 'a', is_more: 1, value: '150.5', con_id: 265598, exchange: 'SMART', trigger_method: 2 },
            { type: 3, conjunction: 'o', is_more: 0, value: '20261126 16:00:00' },
            { type: 4, conjunction: 'a', is_more: 1, value: 30 },
            { type: 5, conjunction: 'a', sec_type: 'STK', exchange: 'SMART', symbol: 'MSFT' },
            { type: 6, conjunction: 'a', is_more: 1, value: 1000000, con_id: 265598, exchange: 'SMART' },
            { type: 7, conjunction: 'o', is_more: 0, value: '5', con_id: 265598, exchange: 'SMART' },
        ],
    },
};
t.test('an order with every optional block filled decodes, and reads back by its layout', async (t) => {
    const base = tradingDay(193);
    const sim = new TwsSimulator({
        ...base.state,
        openOrders: [{ contract: AAPL, order: { ...base.openOrder, orderType: 'PEG BENCH', ...FULL } }],
        completedOrders: [{ contract: AAPL, order: { ...base.completedOrder, orderType: 'PEG BENCH', ...FULL } }],
    }, { maxVersion: 177 });
    const { ib, received } = await connected(t, sim);
    const errors = [];
    loose(ib).on(EventName.error, (e) => errors.push(e.message));
    const orders = [];
    const contracts = [];
    await new Promise((resolve) => {
        loose(ib).on(EventName.openOrder, (_id, c, o) => { contracts.push(c); orders.push(o); });
        loose(ib).on(EventName.completedOrder, (c, o) => { contracts.push(c); orders.push(o); });
        loose(ib).once(EventName.completedOrdersEnd, () => resolve());
        ib.reqAllOpenOrders();
        ib.reqCompletedOrders(false);
    });
    t.same(errors, [], 'no underrun, nothing left over');
    t.equal(orders.length, 2);
    for (const [i, o] of orders.entries()) {
        t.equal(contracts[i].comboLegs.length, 2);
        t.match(o, {
            orderType: 'PEG BENCH', referenceContractId: 12345, referenceExchangeId: 'ISLAND', deltaNeutralOrderType: 'LMT', deltaNeutralConId: 999,
            deltaNeutralDesignatedLocation: 'LOC', hedgeType: 'D', hedgeParam: '0.5', scaleInitFillQty: 50, algoStrategy: 'Adaptive',
            algoParams: [{ tag: 'adaptivePriority', value: 'Normal' }], smartComboRoutingParams: [{ tag: 'NonGuaranteed', value: '1' }],
            conditionsIgnoreRth: true, orderRef: i === 0 ? 'v193:102' : 'v193:103',
        });
        t.equal(o.conditions.length, 6);
        t.equal(o.orderComboLegs.length, 2);
    }
    for (const id of ['5', '101']) {
        const r = readFrame(RECORDED.find((l) => String(l.id) === id), received.find((x) => x[0] === id), 177);
        t.ok(r.ok, `${id}: read exactly`);
        if (r.ok) {
            t.same([r.msg.groups.combo_legs?.length, r.msg.groups.conditions?.map((c) => c.type), r.msg.groups.algo_params], [2, ['1', '3', '4', '5', '6', '7'], [{ tag: 'adaptivePriority', value: 'Normal' }]]);
            t.same([r.msg.f.delta_neutral_designated_location, r.msg.f.scale_random_percent, r.msg.f.reference_exchange_id, r.msg.f.conditions_cancel_order], ['LOC', '0', 'ISLAND', '0']);
        }
    }
});
