// The TWS simulator speaks the real socket protocol: the real @stoqey/ib IBApi client
// connects to it, negotiates the version, and decodes every message the simulator sends
// into the events a relay listens to, with the exact wire text alongside.
import t from 'tap';
import { EventName, IBApi } from '@stoqey/ib';
import { TwsSimulator } from '../agent/ib/sim/server.ts';
import { msg, type SimContract } from '../agent/ib/sim/messages.ts';
import { frame } from '../agent/ib/sim/wire.ts';

// @stoqey/ib types each event's listener; the tests take the arguments as they come.
type Loose = { on: (e: string, f: (...a: any[]) => void) => void; once: (e: string, f: (...a: any[]) => void) => void };
const loose = (ib: IBApi) => ib as unknown as Loose;

const AAPL: SimContract = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };

async function connected(t: { teardown: (fn: () => unknown) => void }, sim: TwsSimulator, clientId = 0) {
  const port = await sim.listen();
  const ib = new IBApi({ host: '127.0.0.1', port });
  const received: string[][] = [];
  loose(ib).on(EventName.received, (tokens: string[]) => received.push(tokens));
  const ready = new Promise<{ orderId: number; accounts: string }>((resolve) => {
    let orderId = -1;
    let accounts = '';
    loose(ib).on(EventName.nextValidId, (id: number) => { orderId = id; if (accounts) resolve({ orderId, accounts }); });
    loose(ib).on(EventName.managedAccounts, (a: string) => { accounts = a; if (orderId >= 0) resolve({ orderId, accounts }); });
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
  t.equal([...sim.clients][0]!.clientId, 7);
  const time = await new Promise<number>((resolve) => {
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
  const execs: { reqId: number; contract: { conId: number }; execution: Record<string, unknown> }[] = [];
  const commissions: Record<string, unknown>[] = [];
  loose(ib).on(EventName.execDetails, (reqId: number, contract: { conId: number }, execution: Record<string, unknown>) => execs.push({ reqId, contract, execution }));
  loose(ib).on(EventName.commissionReport, (r: Record<string, unknown>) => commissions.push(r));
  await new Promise<void>((resolve) => {
    loose(ib).once(EventName.execDetailsEnd, () => resolve());
    ib.reqExecutions(11, {});
  });
  t.equal(execs.length, 1);
  t.same([execs[0]!.reqId, execs[0]!.contract.conId], [11, 265598]);
  t.match(execs[0]!.execution, { execId: '0000e0d5.6571b0c4.01.01', time: '20261126  09:30:01 US/Eastern', side: 'BOT', orderRef: 'momo:42', permId: 2147483999 });
  const wire = received.find((r) => r[0] === '11');
  t.same([wire![19], wire![20]], ['0.0001', '123.456789'], 'shares and price exact on the wire');
  t.equal(commissions.length, 1);
  t.match(commissions[0], { execId: '0000e0d5.6571b0c4.01.01', commission: 1.0005, currency: 'USD' });
  t.equal(commissions[0]!.realizedPNL, undefined, 'Double.MAX_VALUE (unset) decodes as undefined');

  const positions: unknown[][] = [];
  await new Promise<void>((resolve) => {
    loose(ib).on(EventName.position, (...args: unknown[]) => positions.push(args));
    loose(ib).once(EventName.positionEnd, () => resolve());
    ib.reqPositions();
  });
  t.same([positions[0]![0], positions[0]![2], positions[0]![3]], ['DU1234567', -50, 180.5]);
  const summary: unknown[][] = [];
  await new Promise<void>((resolve) => {
    loose(ib).on(EventName.accountSummary, (...args: unknown[]) => summary.push(args));
    loose(ib).once(EventName.accountSummaryEnd, () => resolve());
    ib.reqAccountSummary(5, 'All', 'NetLiquidation');
  });
  t.same(summary[0], [5, 'DU1234567', 'NetLiquidation', '100000.01', 'USD']);
});

t.test('1100 and 1102 arrive as info, an order error as error; a dropped socket as disconnected', async (t) => {
  const sim = new TwsSimulator();
  const { ib } = await connected(t, sim);
  const infos: unknown[][] = [];
  const errors: unknown[][] = [];
  loose(ib).on(EventName.info, (...a: unknown[]) => infos.push(a));
  loose(ib).on(EventName.error, (err: Error, code: number, reqId: number) => errors.push([err.message, code, reqId]));
  sim.broadcast(msg.error(-1, 1100, 'Connectivity between IB and Trader Workstation has been lost.'));
  sim.broadcast(msg.error(-1, 1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.'));
  sim.broadcast(msg.error(3, 201, 'Order rejected - reason:'));
  await new Promise((r) => setTimeout(r, 200));
  t.same(infos.map((i) => i[1]), [1100, 1102]);
  t.same(errors.map((e) => [e[1], e[2]]), [[201, 3]]);
  const gone = new Promise<void>((resolve) => loose(ib).once(EventName.disconnected, () => resolve()));
  sim.dropAll();
  await gone;
  t.pass('disconnected');
});

t.test('openOrder decodes field by field at version 193', async (t) => {
  const sim = new TwsSimulator({
    openOrders: [{ contract: AAPL, order: { orderId: 101, action: 'BUY', totalQuantity: '150', orderType: 'LMT', lmtPrice: '187.30', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:42', clientId: 7, permId: '1900000101', status: 'Submitted' } }],
  });
  const { ib, received } = await connected(t, sim);
  const errors: unknown[] = [];
  loose(ib).on(EventName.error, (e: Error) => errors.push(e.message));
  const orders: unknown[][] = [];
  await new Promise<void>((resolve) => {
    loose(ib).on(EventName.openOrder, (...a: unknown[]) => orders.push(a));
    loose(ib).once(EventName.openOrderEnd, () => resolve());
    ib.reqAllOpenOrders();
  });
  t.equal(orders.length, 1);
  t.same(errors, [], 'no underrun, no unprocessed fields');
  const [orderId, contract, order, state] = orders[0] as [number, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  t.equal(orderId, 101);
  t.match(contract, { conId: 265598, symbol: 'AAPL', secType: 'STK', currency: 'USD' });
  t.match(order, { action: 'BUY', totalQuantity: 150, orderType: 'LMT', lmtPrice: 187.3, tif: 'DAY', account: 'DU1234567', orderRef: 'momo:42', clientId: 7, permId: 1900000101 });
  t.equal(state.status, 'Submitted');
  t.equal(received.find((r) => r[0] === '5')!.length, msg.openOrder(AAPL, { orderId: 1, action: 'BUY', totalQuantity: '1', orderType: 'LMT', tif: 'DAY', account: 'x', clientId: 0, permId: '1', status: 'Submitted' }).length, 'every field consumed, none left over');
});

t.test('completedOrder decodes field by field', async (t) => {
  const sim = new TwsSimulator({
    completedOrders: [{ contract: AAPL, order: { orderId: 0, action: 'SELL', totalQuantity: '20', orderType: 'LMT', lmtPrice: '190.5', tif: 'DAY', account: 'DU1234567', orderRef: 'momo:43', clientId: 0, permId: '1900000105', status: 'Filled', filledQuantity: '20', completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20' } }],
  });
  const { ib } = await connected(t, sim);
  const done: unknown[][] = [];
  const errors: unknown[] = [];
  loose(ib).on(EventName.error, (e: Error) => errors.push(e.message));
  await new Promise<void>((resolve) => {
    loose(ib).on(EventName.completedOrder, (...a: unknown[]) => done.push(a));
    loose(ib).once(EventName.completedOrdersEnd, () => resolve());
    ib.reqCompletedOrders(false);
  });
  t.same(errors, [], 'no decode errors');
  const [contract, order, state] = done[0] as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  t.match(contract, { conId: 265598, symbol: 'AAPL' });
  t.match(order, { action: 'SELL', totalQuantity: 20, lmtPrice: 190.5, orderRef: 'momo:43', permId: 1900000105, filledQuantity: 20 });
  t.match(state, { status: 'Filled', completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20' });
});

t.test('a client that cannot speak version 178 is refused', async (t) => {
  const sim = new TwsSimulator({}, { maxVersion: 150 });
  const port = await sim.listen();
  t.teardown(() => sim.close());
  const refused = new Promise<Error>((resolve) => sim.once('protocolError', resolve));
  const ib = new IBApi({ host: '127.0.0.1', port });
  ib.connect(0);
  t.match((await refused).message, /speaks 178\.\.150/);
  ib.disconnect();
});

t.test('frames are length-prefixed NUL-terminated fields', async (t) => {
  const f = frame([9, 1, 42, null, true]);
  t.equal(f.readUInt32BE(0), f.length - 4);
  t.equal(f.subarray(4).toString(), '9\x001\x0042\x00\x001\x00');
});
