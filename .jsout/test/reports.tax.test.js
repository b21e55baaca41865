// Tax lots, realized gains, wash sales, Form 8949 and Section 1256: the IRS's worked
// examples (Pub 550, Reg §1.1091-1), the public calculators' vectors (adlr, Valloric) and
// the lot methods, each put in as IB fills (the relay's events, some as Flex statement
// rows) and read back from the reports. Expected values are worked out here from the rules,
// not taken from the engine; the last test checks that, all positions closed, the reported
// gains add up to the economic P&L of reports.trades.
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put as putEvents, refreshReports } from "./helpers/recon.js";
// The tax reports read the materialized engine output: every write here is followed by the
// refresh the agent would run.
async function put(sql, evs) {
    await putEvents(sql, evs);
    await refreshReports(sql);
}
const AAPL = '265598';
const at = (day, time = '10:00:00') => new Date(`${day}T${time}-05:00`).toISOString(); // New York (10:00 EST or 11:00 EDT: the same day)
let n = 0;
const ids = [];
// An IB fill of `qty` at `price` (commission 0 unless given), its own order (perm id).
function fill(side, qty, price, day, o = {}) {
    const id = `0000ta01.${String(++n).padStart(8, '0')}.01.01`;
    ids.push(id);
    const f = ibFill(id, { side, qty, price, at: at(day, o.time ?? '10:00:00'), conId: o.conId ?? AAPL, orderRef: o.orderRef });
    f.payload.perm_id = o.perm ?? String(100000 + n);
    if (o.contract)
        f.payload.contract = o.contract;
    if (o.account) {
        f.account = o.account;
        f.stream = `ib:${o.account}`;
    }
    return [f, { ...ibCommission(id, o.comm ?? '0') }];
}
const buy = (qty, price, day, o = {}) => fill('BOT', qty, price, day, o);
const sell = (qty, price, day, o = {}) => fill('SLD', qty, price, day, o);
const last = () => ids[ids.length - 1];
// A fill only an imported statement holds (as the Flex importer records a Trade row).
function flexFill(o) {
    const id = `0000fx01.${String(++n).padStart(8, '0')}.01.01`;
    ids.push(id);
    const when = at(o.day, o.time ?? '16:20:00');
    return { type: 'flex_trade', source: 'flex', stream: `flex:${ACCOUNT}`, at: when, entity: id, key: `flex:test:${id}`, payload: {
            section: 'Trades', element: 'Trade', exec_id: id, side: o.side, codes: o.codes ?? [], cancel: false, correct: false,
            dates: { dateTime: when, tradeDate: o.day },
            raw: { accountId: ACCOUNT, conid: o.conId, symbol: o.symbol, assetCategory: o.secType, currency: 'USD', multiplier: o.mult ?? '1', fxRateToBase: '1',
                quantity: (o.side === 'SELL' ? '-' : '') + o.qty, tradePrice: o.price, ibCommission: o.comm ? '-' + o.comm : '0', ibCommissionCurrency: 'USD',
                transactionID: String(n), tradeID: String(n), ibOrderID: String(n), ibExecID: id, levelOfDetail: 'EXECUTION', transactionType: 'ExchTrade',
                underlyingConid: o.underlyingConid ?? '', underlyingSymbol: o.underlyingSymbol ?? '', putCall: o.putCall ?? '' },
        } };
}
const iso = (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
async function gains(sql, where = sql `true`) {
    const rows = await sql `select symbol, quantity::text, date_acquired, date_sold, proceeds::text, cost_basis::text, wash_sale_loss_disallowed::text as disallowed,
                                gain::text, term, kind, lot_id, close_exec_id, tax_year
                           from reports.realized_gains where ${where} order by closed_at, lot_id, quantity`;
    return rows.map((r) => ({ ...r, date_acquired: iso(r.date_acquired), date_sold: iso(r.date_sold) }));
}
async function lots(sql) {
    const rows = await sql `select lot_id, part, direction, quantity::text, acquired_date, adjusted_acquired_date as adj_start, status, closed_by,
                                basis::text, wash_adjustment::text as adj, adjusted_basis::text, proceeds::text, disallowed_loss::text as disallowed,
                                wash_from_exec_id, folded_into_exec_id
                           from reports.tax_lots order by acquired_at, lot_id, part`;
    return rows.map((r) => ({ ...r, acquired_date: iso(r.acquired_date), adj_start: iso(r.adj_start) }));
}
const days = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const minusDays = (d, k) => new Date(Date.parse(d) - k * 86_400_000).toISOString().slice(0, 10);
const cents = (v) => Math.round(Number(v) * 100) / 100;
t.test('W1 (Pub 550): a loss washed by a rebuy 4 days later; adlr\'s dates', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '10', '2024-05-01'), ...sell('100', '7.5', '2024-07-01'), ...buy('100', '8', '2024-07-05')]);
    const [g] = await gains(sql);
    t.match(g, { proceeds: '750', cost_basis: '1000', disallowed: '250', gain: '0', term: 'ST', date_acquired: '2024-05-01', date_sold: '2024-07-01' });
    const l = await lots(sql);
    t.match(l[1], { status: 'open', basis: '800', adj: '250', adjusted_basis: '1050', adj_start: '2024-05-05', acquired_date: '2024-07-05', wash_from_exec_id: ids[1] }, 'basis 800 + 250; held 61 days carried: 07-05 - 61 = 05-05');
});
t.test('W2 (Pub 550 Ex.1): two replacements take 75 of 100 shares; the 8949 row', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '50', '2013-09-26'), ...buy('50', '55', '2013-12-19'), ...buy('25', '45', '2013-12-27'), ...sell('100', '40', '2014-01-09')]);
    const l = await lots(sql);
    // loss 1,000 = 10 a share; 75 shares replaced: 500 + 250 disallowed, 250 allowed
    t.match(l[0], { status: 'closed', closed_by: 'sale', disallowed: '750' });
    const held = days('2013-09-26', '2014-01-09');
    t.equal(held, 105);
    t.match(l[1], { adjusted_basis: '3250', adj: '500', adj_start: minusDays('2013-12-19', held) });
    t.match(l[2], { adjusted_basis: '1375', adj: '250', adj_start: minusDays('2013-12-27', held) });
    t.equal(l[1].adj_start, '2013-09-05');
    t.equal(l[2].adj_start, '2013-09-13', 'before the sold lot\'s own purchase');
    const f = await sql `select tax_year, part, box, description, date_acquired, date_sold, proceeds::text, cost_basis::text, code, adjustment::text, gain::text,
                             gain_cents::text from reports.form_8949`;
    t.same(f.map((r) => ({ ...r, date_acquired: iso(r.date_acquired), date_sold: iso(r.date_sold) })), [{
            tax_year: 2014, part: 'I', box: 'A', description: '100 sh AAPL', date_acquired: '2013-09-26', date_sold: '2014-01-09',
            proceeds: '4000', cost_basis: '5000', code: 'W', adjustment: '750', gain: '-250', gain_cents: '-250.00',
        }]);
});
t.test('W3 (Pub 550 Ex.2): 100 shares washed by the first two of four 50-share purchases', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '50', '2013-09-26'), ...sell('100', '40', '2014-02-06'),
        ...buy('50', '41', '2014-02-11'), ...buy('50', '41', '2014-02-12'), ...buy('50', '41', '2014-02-13'), ...buy('50', '41', '2014-02-14')]);
    const l = await lots(sql);
    const held = days('2013-09-26', '2014-02-06');
    t.match(l[0], { disallowed: '1000' });
    t.match(l.slice(1).map((r) => [r.adj, r.adjusted_basis, r.adj_start]), [
        ['500', '2550', minusDays('2014-02-11', held)], ['500', '2550', minusDays('2014-02-12', held)],
        ['0', '2050', '2014-02-13'], ['0', '2050', '2014-02-14']
    ]);
    t.same([l[1].adj_start, l[2].adj_start], ['2013-10-01', '2013-10-02']);
});
t.test('W4 (Pub 550, same day): one block\'s loss washed, the other two blocks\' gains stand; 100 of 250 new shares take it', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '158', '2012-01-03'), ...buy('100', '100', '2012-02-01'), ...buy('100', '95', '2012-03-01'),
        ...sell('300', '125', '2013-12-27'), ...buy('250', '100', '2014-01-09')]);
    const g = await gains(sql);
    t.same(g.map((r) => [r.quantity, r.proceeds, r.cost_basis, r.disallowed, r.gain, r.term]), [
        ['100', '12500', '15800', '3300', '0', 'LT'], ['100', '12500', '10000', '0', '2500', 'LT'], ['100', '12500', '9500', '0', '3000', 'LT']
    ]);
    const l = (await lots(sql)).filter((r) => r.status === 'open');
    const held = days('2012-01-03', '2013-12-27');
    t.same(l.map((r) => [r.quantity, r.adjusted_basis, r.adj_start]).sort(), [
        ['100', '13300', minusDays('2014-01-09', held)], ['150', '15000', '2014-01-09']
    ].sort());
    const f = await sql `select part, box, code, adjustment::text, gain::text from reports.form_8949 order by close_exec_id, lot_id`;
    t.same(f[0], { part: 'II', box: 'D', code: 'W', adjustment: '3300', gain: '0' });
});
t.test('W5 (Reg Ex.1): a purchase 19 days before the loss sale replaces it', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '100', '2023-12-01'), ...buy('100', '90', '2023-12-15'), ...sell('100', '90', '2024-01-03')]);
    const l = await lots(sql);
    t.match(l[0], { disallowed: '1000' });
    t.match(l[1], { basis: '9000', adjusted_basis: '10000', status: 'open' });
});
t.test('W6 (Reg 1.1091-2): the new basis is the old basis plus or minus the price difference', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('1', '100', '2024-03-01'), ...sell('1', '80', '2024-03-05'), ...buy('1', '90', '2024-03-10'),
        ...buy('1', '100', '2024-03-01', { conId: '1001' }), ...sell('1', '80', '2024-03-05', { conId: '1001' }), ...buy('1', '70', '2024-03-10', { conId: '1001' })]);
    const open = await sql `select con_id::text, adjusted_basis::text from reports.tax_lots where status = 'open' order by con_id`;
    t.same(open, [{ con_id: '1001', adjusted_basis: '90' }, { con_id: '265598', adjusted_basis: '110' }]);
});
t.test('W7 (Pub 550): a year to the day is short-term, a day more long-term', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('2', '10', '2008-02-05'), ...sell('1', '12', '2009-02-05'), ...sell('1', '12', '2009-02-06')]);
    t.same((await gains(sql)).map((r) => [r.date_sold, r.term]), [['2009-02-05', 'ST'], ['2009-02-06', 'LT']]);
});
t.test('W9 (Pub 550): a future marked at the year end; 60/40 each year; no mark says so', async (t) => {
    const { sql } = await testDb(t);
    const es = { con_id: '495512563', symbol: 'ES', sec_type: 'FUT', currency: 'USD', multiplier: '50', exchange: 'CME' };
    const nq = { con_id: '495512999', symbol: 'NQ', sec_type: 'FUT', currency: 'USD', multiplier: '20', exchange: 'CME' };
    await put(sql, [
        ...buy('1', '1000', '2025-06-22', { conId: '495512563', contract: es }), // 50,000
        ...buy('1', '20000', '2025-07-01', { conId: '495512999', contract: nq }), // no mark for it
        // the year's last Activity statement: ES marked at 1,140 (57,000)
        { type: 'flex_position', source: 'flex', stream: `flex:${ACCOUNT}`, at: at('2025-12-31', '17:00:00'), entity: '495512563', key: 'flex:pos:1',
            payload: { section: 'OpenPositions', element: 'OpenPosition', dates: { reportDate: '2025-12-31' },
                raw: { accountId: ACCOUNT, conid: '495512563', symbol: 'ES', assetCategory: 'FUT', multiplier: '50', position: '1', markPrice: '1140' } } },
        ...sell('1', '1120', '2026-02-01', { conId: '495512563', contract: es }), // 56,000
        ...sell('1', '20000', '2026-02-01', { conId: '495512999', contract: nq }),
    ]);
    const s = await sql `select tax_year, realized::text, prior_year_unrealized::text as prior, year_end_unrealized::text as year_end, total::text,
                             long_term_60::text as lt, short_term_40::text as st, marks_missing, missing_con_ids::text[] as missing
                        from reports.section_1256 where account = ${ACCOUNT} order by tax_year`;
    t.same(s, [
        { tax_year: 2025, realized: '0', prior: '0', year_end: '7000', total: '7000', lt: '4200', st: '2800', marks_missing: 1, missing: ['495512999'] },
        { tax_year: 2026, realized: '6000', prior: '7000', year_end: '0', total: '-1000', lt: '-600', st: '-400', marks_missing: 0, missing: [] },
    ]);
    const g = await gains(sql, sql `symbol = 'ES'`);
    t.same(g.map((r) => [r.kind, r.tax_year, r.proceeds, r.cost_basis, r.gain, r.term]), [
        ['mark', 2025, '57000', '50000', '7000', '60/40'], ['sale', 2026, '56000', '57000', '-1000', '60/40']
    ]);
    t.same(await sql `select * from reports.form_8949`, [], 'not on Form 8949');
});
t.test('W10 (Fairmark): same day, the loss washes into the next purchase sold later that day', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('100', '10', '2024-04-01', { time: '10:00:00' }), ...sell('100', '9', '2024-04-01', { time: '11:00:00' }),
        ...buy('100', '8', '2024-04-01', { time: '12:00:00' }), ...sell('100', '9', '2024-04-01', { time: '13:00:00' })]);
    t.same((await gains(sql)).map((r) => [r.proceeds, r.cost_basis, r.disallowed, r.gain]), [['900', '1000', '100', '0'], ['900', '900', '0', '0']]);
});
t.test('W11 (Fairmark): one purchase cannot replace itself, filled at once or in parts', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('200', '50', '2024-04-01'), ...sell('100', '40', '2024-04-10'),
        // one order (perm id 7) filled in two executions
        ...buy('100', '50', '2024-04-01', { conId: '1001', perm: '7' }), ...buy('100', '50', '2024-04-01', { conId: '1001', perm: '7' }),
        ...sell('100', '40', '2024-04-10', { conId: '1001' })]);
    t.same((await gains(sql)).map((r) => [r.disallowed, r.gain]), [['0', '-1000'], ['0', '-1000']]);
});
t.test('Valloric two_wash_sales_1: a chain, the second loss (with the first in it) washes again', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('10', '20', '2024-05-20'), ...sell('10', '10', '2024-06-01'), ...buy('10', '30', '2024-06-10'), ...sell('10', '22', '2024-08-01'),
        ...buy('10', '50', '2024-08-23'), ...sell('10', '100', '2024-09-01')]);
    const g = await gains(sql);
    t.same(g.map((r) => [r.date_acquired, r.proceeds, r.cost_basis, r.disallowed, r.gain]), [
        ['2024-05-20', '100', '200', '100', '0'],
        ['2024-05-29', '220', '400', '180', '0'], // 06-10 - 12 days held
        ['2024-06-20', '1000', '680', '0', '320']
    ]); // 08-23 - 64 days (05-29 to 08-01)
});
t.test('Valloric two_wash_sales_3: a 12-share replacement splits into the 10 shares replaced and 2', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('10', '20', '2024-05-20'), ...sell('10', '10', '2024-06-01'), ...buy('12', String(200 / 12).slice(0, 12), '2024-06-10'),
        ...sell('12', String(220 / 12).slice(0, 12), '2024-08-01'), ...buy('10', '50', '2024-08-23'), ...sell('10', '100', '2024-09-01')]);
    // prices 200/12 and 220/12 are not exact decimals: take the cost and proceeds as put in
    const [b] = await sql `select (12 * ${String(200 / 12).slice(0, 12)}::numeric)::text as cost, (12 * ${String(220 / 12).slice(0, 12)}::numeric)::text as proceeds`;
    const g = await gains(sql);
    t.equal(g.length, 4);
    const bParts = g.filter((r) => r.date_sold === '2024-08-01');
    t.same(bParts.map((r) => r.quantity).sort(), ['10', '2']);
    const b10 = bParts.find((r) => r.quantity === '10'), b2 = bParts.find((r) => r.quantity === '2');
    t.same([cents(b10.cost_basis), cents(b10.proceeds), cents(b10.disallowed), cents(b10.gain)], [266.67, 183.33, 83.33, 0]);
    t.same([cents(b2.cost_basis), cents(b2.proceeds), cents(b2.disallowed)], [33.33, 36.67, 0]);
    const c = g.find((r) => r.date_sold === '2024-09-01');
    t.equal(cents(c.cost_basis), 583.33);
    // exact: everything adds up to the economic result
    const total = g.reduce((s, r) => s + Number(r.gain), 0);
    t.ok(Math.abs(total - (100 - 200 + Number(b.proceeds) - Number(b.cost) + 1000 - 500)) < 1e-9);
});
t.test('Valloric multiple_small_replacement_lots: 10 shares washed by 6 of one lot and 4 of another', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...buy('10', '12', '2024-03-01'), ...buy('6', String(100 / 6).slice(0, 12), '2024-03-05', { time: '10:00:00' }),
        ...buy('6', String(100 / 6).slice(0, 12), '2024-03-05', { time: '10:05:00' }), ...sell('10', '11', '2024-03-14')]);
    const [, b, c] = ids.slice(-4);
    const l = await lots(sql);
    t.match(l[0], { status: 'closed', disallowed: '10' }, 'all 10 shares replaced: 6 + 4');
    const open = l.filter((r) => r.status === 'open').map((r) => [r.lot_id, r.quantity, r.adj, cents(r.adjusted_basis)]);
    t.same(open.sort((x, y) => String(x[0]).localeCompare(String(y[0])) || Number(y[1]) - Number(x[1])), [
        [b, '6', '6', 106], [c, '4', '4', 70.67], [c, '2', '0', 33.33]
    ], 'B gets 6; C splits into the 4 shares replaced and 2');
});
t.test('LIFO and HIFO', async (t) => {
    const { sql } = await testDb(t);
    await sql `insert into reports.tax_accounts (account, lot_method) values (${ACCOUNT}, 'LIFO'), ('DU7654321', 'HIFO')`;
    await put(sql, [...buy('10', '10', '2024-01-02'), ...buy('10', '12', '2024-01-03'), ...sell('10', '15', '2024-01-04'),
        ...buy('10', '12', '2024-01-02', { account: 'DU7654321' }), ...buy('10', '15', '2024-01-03', { account: 'DU7654321' }),
        ...buy('10', '11', '2024-01-04', { account: 'DU7654321' }), ...sell('10', '20', '2024-01-05', { account: 'DU7654321' })]);
    const L = ids.slice(-7);
    const [l] = await sql `select gain::text, lot_id from reports.realized_gains where account = ${ACCOUNT}`;
    t.same(l, { gain: '30', lot_id: L[1] }, 'LIFO: the newest lot (12), not the oldest (10)');
    const [h] = await sql `select gain::text, lot_id from reports.realized_gains where account = 'DU7654321'`;
    t.same(h, { gain: '50', lot_id: L[4] }, 'HIFO: the dearest lot (15)');
});
t.test('SPECIFIC: the lots the bot\'s order named, then FIFO', async (t) => {
    const { sql } = await testDb(t);
    await sql `insert into reports.tax_accounts (account, lot_method) values (${ACCOUNT}, 'SPECIFIC')`;
    await put(sql, [...buy('10', '10', '2024-01-02'), ...buy('10', '12', '2024-01-03'), ...buy('10', '11', '2024-01-04')]);
    const [a, b, c] = ids.slice(-3);
    await put(sql, [{ type: 'order_submitted', key: 'o:sell', payload: {
                client_order_id: 'c-sell', order_ref: 'bot:sell', contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'SELL',
                quantity: '25', order_type: 'MKT', tif: 'DAY', tax_lots: [c, a]
            } }]);
    await put(sql, [...sell('25', '20', '2024-02-05', { orderRef: 'bot:sell' })]);
    const g = await sql `select lot_id, quantity::text, gain::text from reports.realized_gains order by realized_gains.gain desc`;
    t.same(g, [{ lot_id: a, quantity: '10', gain: '100' }, { lot_id: c, quantity: '10', gain: '90' }, { lot_id: b, quantity: '5', gain: '40' }]);
});
t.test('short sales: proceeds at the open, basis at the cover; a loss on a cover washed by a new short (§1091(e))', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [...sell('100', '50', '2024-03-01', { comm: '1' }), ...buy('100', '45', '2024-03-08', { comm: '1' }),
        ...sell('100', '50', '2024-04-01'), ...buy('100', '55', '2024-04-10'), ...sell('100', '52', '2024-04-15'), ...buy('100', '52', '2024-05-01')]);
    const g = await gains(sql);
    t.same(g.map((r) => [r.kind, r.date_acquired, r.date_sold, r.proceeds, r.cost_basis, r.disallowed, r.gain, r.term]), [
        ['cover', '2024-03-08', '2024-03-08', '4999', '4501', '0', '498', 'ST'],
        ['cover', '2024-04-10', '2024-04-10', '5000', '5500', '500', '0', 'ST'],
        ['cover', '2024-05-01', '2024-05-01', '5200', '5700', '0', '-500', 'ST']
    ]);
});
t.test('options: a call bought and exercised goes into the stock\'s basis; a call written and assigned into the proceeds', async (t) => {
    const { sql } = await testDb(t);
    const call = { con_id: '612345678', symbol: 'AAPL', sec_type: 'OPT', currency: 'USD', multiplier: '100', strike: '150', right: 'C' };
    await put(sql, [...buy('1', '2', '2024-03-01', { conId: '612345678', contract: call, comm: '1' })]); // 201
    await put(sql, [flexFill({ side: 'SELL', qty: '1', price: '0', day: '2024-03-15', conId: '612345678', symbol: 'AAPL  240315C00150000', secType: 'OPT', mult: '100',
            codes: ['Ex', 'C'], underlyingConid: AAPL, underlyingSymbol: 'AAPL', putCall: 'C' })]);
    const optClose = last();
    await put(sql, [flexFill({ side: 'BUY', qty: '100', price: '150', day: '2024-03-15', conId: AAPL, symbol: 'AAPL', secType: 'STK', codes: ['Ex', 'O'] })]);
    const stock = last();
    await put(sql, [...sell('100', '160', '2024-06-03')]);
    // a call written (premium 300) and assigned: the stock sold at 170 brings 17,300
    const call2 = { ...call, con_id: '612345999', strike: '170' };
    await put(sql, [...sell('1', '3', '2024-07-01', { conId: '612345999', contract: call2 }), ...buy('100', '165', '2024-07-02'),
        flexFill({ side: 'BUY', qty: '1', price: '0', day: '2024-07-19', conId: '612345999', symbol: 'AAPL  240719C00170000', secType: 'OPT', mult: '100',
            codes: ['A', 'C'], underlyingConid: AAPL, underlyingSymbol: 'AAPL', putCall: 'C' }),
        flexFill({ side: 'SELL', qty: '100', price: '170', day: '2024-07-19', conId: AAPL, symbol: 'AAPL', secType: 'STK', codes: ['A', 'C'] })]);
    const g = await gains(sql);
    t.same(g.map((r) => [r.symbol, r.kind, r.quantity, r.proceeds, r.cost_basis, r.gain]), [
        ['AAPL', 'sale', '100', '16000', '15201', '799'],
        ['AAPL', 'sale', '100', '17300', '16500', '800']
    ], 'no option rows: their premiums are in the stock');
    const opt = await sql `select closed_by, close_exec_id, folded_into_exec_id from reports.tax_lots where con_id = 612345678`;
    t.same(opt, [{ closed_by: 'exercise', close_exec_id: optClose, folded_into_exec_id: stock }]);
    const [s] = await sql `select basis::text from reports.tax_lots where lot_id = ${stock}`;
    t.equal(s.basis, '15201', '15,000 + the premium 200 + its commission 1');
});
t.test('wash sales across a taxpayer\'s accounts; into an IRA the loss is lost', async (t) => {
    const { sql } = await testDb(t);
    await sql `insert into reports.tax_accounts (account, taxpayer, ira) values (${ACCOUNT}, 'pat', false), ('DU0000002', 'pat', false), ('DU0000003', 'pat', true)`;
    await put(sql, [...buy('100', '10', '2024-01-02'), ...sell('100', '9', '2024-02-01'), ...buy('60', '9', '2024-02-05', { account: 'DU0000002' }),
        ...buy('40', '9', '2024-02-06', { account: 'DU0000003' }), ...buy('10', '9', '2024-02-06', { account: 'DU0000003' }),
        // the IRA sells 10 at a loss later: a replacement still (it was held at the loss), its own loss not reported
        ...sell('10', '8', '2024-03-01', { account: 'DU0000003' })]);
    const [g] = await sql `select disallowed_to_ira::text, wash_sale_loss_disallowed::text as d, gain::text from reports.realized_gains where account = ${ACCOUNT}`;
    t.same(g, { disallowed_to_ira: '40', d: '100', gain: '0' });
    const o = await sql `select account, adjusted_basis::text from reports.tax_lots where status = 'open' order by account`;
    t.same(o, [{ account: 'DU0000002', adjusted_basis: '600' }, { account: 'DU0000003', adjusted_basis: '270' }, { account: 'DU0000003', adjusted_basis: '90' }], 'the IRA lots get no basis increase (30 of the first IRA lot were sold)');
    t.same(await sql `select account from reports.form_8949 order by account`, [{ account: ACCOUNT }], 'the IRA\'s sale is not on Form 8949');
});
t.test('blotter_bi reads the tax reports', async (t) => {
    const { sql, url } = await testDb(t);
    await put(sql, [...buy('100', '10', '2024-01-02'), ...sell('100', '9', '2024-02-01'), ...buy('100', '9', '2024-02-05')]);
    const role = `bi_tax_${process.pid}`;
    await sql.unsafe(`create role ${role} login password 'bi-pass' in role blotter_bi`);
    t.teardown(async () => { await sql.unsafe(`drop role if exists ${role}`).catch(() => { }); });
    const u = new URL(url);
    u.username = role;
    u.password = 'bi-pass';
    const bi = (await import('postgres')).default(u.toString(), { max: 1, onnotice: () => { } });
    t.teardown(() => bi.end({ timeout: 5 }));
    for (const v of ['tax_lots', 'realized_gains', 'form_8949', 'section_1256', 'tax_accounts']) {
        await t.resolves(bi.unsafe(`select * from reports.${v}`), `reports.${v}`);
    }
    const [w] = await bi `select code from reports.form_8949`;
    t.equal(w.code, 'W');
    await t.rejects(bi `insert into reports.tax_accounts (account) values ('x')`, { code: '42501' }, 'settings are the owner\'s');
});
t.test('all positions closed: the reported gains add up to the economic P&L (reports.trades)', async (t) => {
    const { sql } = await testDb(t);
    // a deterministic walk: buys and sells of two instruments over 120 days, with commissions, ending flat
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const evs = [];
    const pos = { [AAPL]: 0, '1001': 0 };
    for (let d = 0; d < 120; d += 1 + Math.floor(rnd() * 3)) {
        const day = new Date(Date.UTC(2024, 0, 2 + d)).toISOString().slice(0, 10);
        for (const con of [AAPL, '1001']) {
            const price = (50 + Math.floor(rnd() * 2000) / 100).toFixed(2);
            const qty = 1 + Math.floor(rnd() * 30);
            const side = pos[con] > 40 || (pos[con] > -20 && rnd() < 0.45) ? 'SLD' : 'BOT';
            pos[con] += side === 'BOT' ? qty : -qty;
            evs.push(...fill(side, String(qty), price, day, { conId: con, comm: (0.35 + qty * 0.005).toFixed(3) }));
        }
    }
    for (const con of [AAPL, '1001']) {
        if (pos[con] !== 0)
            evs.push(...fill(pos[con] > 0 ? 'SLD' : 'BOT', String(Math.abs(pos[con])), '60', '2024-06-03', { conId: con, comm: '1' }));
    }
    await put(sql, evs);
    const [c] = await sql `select (select sum(gain) from reports.realized_gains)::text as gains, (select sum(net_pnl) from reports.trades)::text as pnl,
                               (select count(*) from reports.realized_gains where wash_sale_loss_disallowed > 0)::int as washed,
                               (select count(*) from reports.tax_lots where status = 'open')::int as open`;
    t.equal(c.open, 0, 'flat');
    t.ok(c.washed > 3, `wash sales happened (${c.washed})`);
    t.equal(Number(c.gains) - Number(c.pnl), 0);
    t.equal(c.gains.replace(/\.?0+$/, ''), c.pnl.replace(/\.?0+$/, ''), 'exactly');
});
t.test('options: a put written and assigned lowers the stock\'s basis; expiries (written: proceeds, bought: basis); SPX options are §1256', async (t) => {
    const { sql } = await testDb(t);
    const opt = (con, symbol, right) => ({ con_id: con, symbol, sec_type: 'OPT', currency: 'USD', multiplier: '100', strike: '140', right });
    await put(sql, [
        ...sell('1', '2', '2024-03-01', { conId: '7001', contract: opt('7001', 'AAPL', 'P') }), // premium 200
        flexFill({ side: 'BUY', qty: '1', price: '0', day: '2024-03-15', conId: '7001', symbol: 'AAPL  240315P00140000', secType: 'OPT', mult: '100',
            codes: ['A'], underlyingConid: AAPL, underlyingSymbol: 'AAPL', putCall: 'P' }),
        flexFill({ side: 'BUY', qty: '100', price: '140', day: '2024-03-15', conId: AAPL, symbol: 'AAPL', secType: 'STK', codes: ['A'] }),
        ...sell('100', '150', '2024-05-01'),
        ...sell('1', '1.5', '2024-04-01', { conId: '7002', contract: opt('7002', 'AAPL', 'C') }),
        flexFill({ side: 'BUY', qty: '1', price: '0', day: '2024-04-19', conId: '7002', symbol: 'AAPL  240419C00160000', secType: 'OPT', mult: '100', codes: ['Ep'],
            underlyingConid: AAPL, putCall: 'C' }),
        ...buy('1', '0.8', '2024-04-01', { conId: '7003', contract: opt('7003', 'AAPL', 'P') }),
        flexFill({ side: 'SELL', qty: '1', price: '0', day: '2024-04-19', conId: '7003', symbol: 'AAPL  240419P00120000', secType: 'OPT', mult: '100', codes: ['Ep'],
            underlyingConid: AAPL, putCall: 'P' }),
        ...buy('1', '10', '2024-06-03', { conId: '7004', contract: opt('7004', 'SPX', 'C') }),
        ...sell('1', '12', '2024-06-10', { conId: '7004', contract: opt('7004', 'SPX', 'C') }),
    ]);
    const g = await gains(sql);
    t.same(g.map((r) => [r.kind, r.quantity, r.proceeds, r.cost_basis, r.gain, r.term]), [
        ['expiry', '1', '150', '0', '150', 'ST'], // written call expired: proceeds = premium, basis 0
        ['expiry', '1', '0', '80', '-80', 'ST'], // bought put expired: proceeds 0, basis = cost
        ['sale', '100', '15000', '13800', '1200', 'ST'], // stock bought by assignment at 14,000 - premium 200
        ['sale', '1', '1200', '1000', '200', '60/40']
    ]); // SPX: §1256
    const f = await sql `select description, proceeds::text from reports.form_8949 order by date_sold, description`;
    t.same(f.map((r) => r.description), ['1 AAPL OPT', '1 AAPL OPT', '100 sh AAPL'], 'SPX left to Form 6781');
    const [s] = await sql `select tax_year, total::text, long_term_60::text as lt, short_term_40::text as st from reports.section_1256`;
    t.same(s, { tax_year: 2024, total: '200', lt: '120', st: '80' });
});
