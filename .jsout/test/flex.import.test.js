// `blotter flex import` records every fact of a Flex statement once, in the view it belongs
// to, with IB's numbers exact; leaves out roll-ups and summary copies (counting them as
// skipped); adds only what is new on a re-import or an overlapping statement; links
// cancellations; and refuses a broken file whole, naming where, with nothing written.
// Method: statements written with agent/flex/write.ts from the notes' facts (made-up
// accounts, one per scenario so each reads its own rows), imported into a fresh migrated
// database through importFlexFile and through the CLI, then read back from the importer's
// counts, ledger.events and the ledger.flex_* views. Date formats are in
// flex.import-formats.test.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { BlotterError } from "../agent/errors.js";
import { importFlexFile } from "../agent/flex/import.js";
import { tradeRow } from "../agent/flex/write.js";
import { runCli, testDb } from "./helpers/db.js";
import { ny, plain, tempDir, writeFlexFile } from "./helpers/flex-statements.js";
const { url, sql } = await testDb(t);
const env = { DATABASE_URL: url };
const dir = tempDir(t, 'blotter-flex-import-');
const file = (name) => path.join(dir, name);
const eventCount = async () => (await sql `select count(*)::int as n from ledger.events`)[0].n;
const streamsLike = async (pattern) => (await sql `select stream from ledger.streams where stream like ${pattern} order by stream`).map((r) => r.stream);
// Per section: [rows, new, known, skipped]
const bySection = (r, account) => Object.fromEntries(r.sections.filter((s) => s.account === account).map((s) => [s.section, [s.rows, s.new, s.known, s.skipped]]));
// ---------------------------------------------------------------------------------------
// 1. The Activity statement: every section a daily query of a small account gives.
const A1 = 'U1000001';
const AAPL = { conid: '265598', symbol: 'AAPL' };
const FILLS_A1 = [
    { account: A1, execId: '0000e0d5.67cf1a2b.01.01', transactionId: '3001', tradeId: '2001', orderId: '4001', orderRef: 'mm-a:1', conId: AAPL.conid, symbol: 'AAPL',
        side: 'BUY', quantity: '100', price: '213.49', commission: '1.005', time: ny('2025-03-10', '10:15:30'), notes: 'P', openClose: 'O' },
    { account: A1, execId: '0000e0d5.67cf1a2c.01.01', transactionId: '3002', tradeId: '2002', orderId: '4001', orderRef: 'mm-a:1', conId: AAPL.conid, symbol: 'AAPL',
        side: 'BUY', quantity: '50', price: '213.50', commission: '0.5025', time: ny('2025-03-10', '10:15:31'), notes: 'P', openClose: 'O' },
    { account: A1, execId: '0000e0d5.67d0ab11.01.01', transactionId: '3003', tradeId: '2003', orderId: '4002', orderRef: 'mm-a:2', conId: AAPL.conid, symbol: 'AAPL',
        side: 'SELL', quantity: '60', price: '215.1', commission: '1.000720223', time: ny('2025-03-11', '14:02:07'), openClose: 'C' },
];
function cash(w, a) {
    const { date, dateTime, ...rest } = a;
    return ['CashTransaction', {
            accountId: A1, acctAlias: '', currency: 'USD', fxRateToBase: '1', assetCategory: '', symbol: '', conid: '', description: '',
            dateTime: dateTime ?? w.d(date), settleDate: w.d(date), reportDate: w.d(date), amount: '', type: '', transactionID: '', actionID: '', code: '',
            levelOfDetail: 'DETAIL', ...rest,
        }];
}
function activityParts(w) {
    const [f1, f2, f3] = FILLS_A1;
    const rd = w.d('2025-03-12');
    const rollup = { accountId: A1, currency: 'USD', assetCategory: 'STK', symbol: 'AAPL', conid: AAPL.conid, transactionID: '', tradeID: '', ibExecID: '' };
    const position = { accountId: A1, currency: 'USD', fxRateToBase: '1', assetCategory: 'STK', symbol: 'AAPL', description: 'APPLE INC', conid: AAPL.conid, multiplier: '1', reportDate: rd, markPrice: '214.37', side: 'Long' };
    const cashRow = { accountId: A1, fromDate: w.d('2025-03-10'), toDate: rd, startingCash: '50000', commissions: '-2.508220223', deposits: '10000', withdrawals: '-2500.50',
        depositWithdrawals: '7499.50', dividends: '12.5', withholdingTax: '-1.875', brokerInterest: '3.21', otherFees: '0', netTradesSales: '12906', netTradesPurchases: '-32024',
        endingCash: '38392.826779777', endingSettledCash: '38392.826779777', commissionsMTD: '-2.508220223', commissionsYTD: '-40.118220223' };
    const nav = (date, cashAmt, stock, total) => ['EquitySummaryByReportDateInBase', { accountId: A1, currency: 'USD', reportDate: w.d(date), cash: cashAmt, stock, options: '0', dividendAccruals: '0', interestAccruals: '0.41', total }];
    return [
        { bare: 'AccountInformation', attrs: { accountId: A1, acctAlias: 'bot-a', currency: 'USD', name: 'Test Trader', accountType: 'Individual', dateOpened: w.d('2024-01-02') } },
        { section: 'Trades', rows: [
                ['Trade', tradeRow(w, f1, { newFieldX2031: 'abc', whenceTime: 'soon', cost: '21350.005' })],
                ['Trade', tradeRow(w, f2, { cost: '10675.5025' })],
                ['Order', { ...rollup, ibOrderID: '4001', levelOfDetail: 'ORDER', buySell: 'BUY', quantity: '150', tradePrice: '213.4933', dateTime: w.dt(f2.time), tradeDate: w.d('2025-03-10') }],
                ['Trade', tradeRow(w, f3, { cost: '-12809.40', fifoPnlRealized: '94.596279777', mtmPnl: '-43.2' })],
                ['Lot', { ...rollup, levelOfDetail: 'CLOSED_LOT', buySell: 'SELL', quantity: '-60', tradePrice: '213.49', cost: '12809.40', fifoPnlRealized: '94.596279777',
                        openDateTime: w.dt(f1.time), dateTime: w.dt(f3.time), reportDate: w.d('2025-03-11') }],
                ['SymbolSummary', { ...rollup, levelOfDetail: 'SYMBOL_SUMMARY', quantity: '90', tradeDate: 'MULTI', reportDate: 'MULTI', proceeds: '-19118' }],
                ['AssetSummary', { accountId: A1, currency: 'USD', assetCategory: 'STK', levelOfDetail: 'ASSET_SUMMARY', quantity: '90', proceeds: '-19118' }],
            ] },
        { section: 'OpenPositions', rows: [
                ['OpenPosition', { ...position, position: '90', positionValue: '19293.3', openPrice: '213.4933333', costBasisPrice: '213.4933333', costBasisMoney: '19214.4',
                        fifoPnlUnrealized: '78.9', percentOfNAV: '33.41', levelOfDetail: 'SUMMARY' }],
                ['OpenPosition', { ...position, position: '40', positionValue: '8574.8', openPrice: '213.49', costBasisPrice: '213.49', costBasisMoney: '8539.6', levelOfDetail: 'LOT',
                        openDateTime: w.dt(f1.time), holdingPeriodDateTime: w.dt(f1.time), originatingOrderID: '4001', originatingTransactionID: '3001', code: 'ST' }],
                ['OpenPosition', { ...position, position: '50', positionValue: '10718.5', openPrice: '213.50', costBasisPrice: '213.50', costBasisMoney: '10675', levelOfDetail: 'LOT',
                        openDateTime: w.dt(f2.time), holdingPeriodDateTime: w.dt(f2.time), originatingOrderID: '4001', originatingTransactionID: '3002', code: 'ST' }],
            ] },
        { section: 'CashTransactions', rows: [
                cash(w, { date: '2025-03-10', type: 'Deposits/Withdrawals', amount: '10000', transactionID: '5001', description: 'CASH RECEIPTS / ELECTRONIC FUND TRANSFERS' }),
                cash(w, { date: '2025-03-11', type: 'Deposits/Withdrawals', amount: '-2500.50', transactionID: '5002', description: 'DISBURSEMENT INITIATED BY Test Trader' }),
                cash(w, { date: '2025-03-12', dateTime: w.dt(ny('2025-03-12', '20:20:00')), type: 'Dividends', amount: '12.5', transactionID: '5003', actionID: '7001', ...AAPL,
                    exDate: w.d('2025-03-10'), description: 'AAPL(US0378331005) CASH DIVIDEND USD 0.25 PER SHARE (Ordinary Dividend)' }),
                cash(w, { date: '2025-03-12', dateTime: w.dt(ny('2025-03-12', '20:20:00')), type: 'Withholding Tax', amount: '-1.875', transactionID: '5004', actionID: '7001', ...AAPL,
                    description: 'AAPL(US0378331005) CASH DIVIDEND USD 0.25 PER SHARE - US TAX' }),
                cash(w, { date: '2025-03-11', type: 'Broker Interest Received', amount: '3.21', transactionID: '5005', description: 'USD CREDIT INT FOR FEB-2025' }),
                cash(w, { date: '2025-03-11', type: 'Other Fees', amount: '-9.18', transactionID: '5006', description: 'MARKET DATA FEE' }),
                cash(w, { date: '2025-03-11', type: 'Other Fees', amount: '9.18', transactionID: '5007', description: 'MARKET DATA FEE REFUND' }),
                // a reversal pair: the same event re-booked months later, two new ids
                cash(w, { date: '2025-01-14', reportDate: w.d('2025-03-11'), type: 'Withholding Tax', amount: '0.75', transactionID: '5008', actionID: '6999', ...AAPL, description: 'US TAX REVERSAL' }),
                cash(w, { date: '2025-01-14', reportDate: w.d('2025-03-11'), type: 'Withholding Tax', amount: '-0.75', transactionID: '5009', actionID: '6999', ...AAPL, description: 'US TAX' }),
                // the "Summary" option's copies of rows above
                cash(w, { date: '2025-03-10', accountId: '-', type: 'Deposits/Withdrawals', amount: '10000', levelOfDetail: '' }),
                cash(w, { date: '2025-03-12', type: 'Dividends', amount: '12.5', ...AAPL, levelOfDetail: 'SUMMARY' }),
            ] },
        { section: 'CashReport', rows: [
                ['CashReportCurrency', { ...cashRow, currency: 'USD', levelOfDetail: 'Currency' }],
                ['CashReportCurrency', { ...cashRow, currency: 'BASE_SUMMARY', levelOfDetail: 'BaseCurrency', fxTranslationGainLoss: '0' }],
            ] },
        { section: 'EquitySummaryInBase', rows: [
                nav('2025-03-07', '50000', '0', '50000'),
                nav('2025-03-10', '27974.4925', '32130', '60104.9025'),
                nav('2025-03-11', '38379.991779777', '19279.2', '57659.601779777'),
                nav('2025-03-12', '38392.826779777', '19293.3', '57686.536779777'),
            ] },
        { bare: 'ChangeInNAV', attrs: { accountId: A1, currency: 'USD', fromDate: w.d('2025-03-10'), toDate: rd, startingValue: '50000', mtm: '105.6', realized: '0',
                depositsWithdrawals: '7499.50', dividends: '12.5', withholdingTax: '-1.875', interest: '3.21', commissions: '-2.508220223', otherFees: '0', endingValue: '57616.426779777', twr: '0.0507' } },
        { section: 'ConversionRates', rows: [
                ['ConversionRate', { reportDate: w.d('2025-03-10'), fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0834' }],
                ['ConversionRate', { reportDate: w.d('2025-03-11'), fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0901' }],
            ] },
        // empty sections still appear, as an empty container or a bare element without attributes
        { raw: '<CorporateActions>\n</CorporateActions>\n<OptionEAE />\n' },
        // a section IB added after this importer was written, with attributes nobody knows
        { section: 'QuantumLedger', rows: [['QuantumEntry', { accountId: A1, transactionID: '9001', flux: '3.14159265358979', glimmerDate: w.d('2025-03-11'), whenceTime: 'soon' }]] },
    ];
}
const A1_FILE = file('activity.xml');
await writeFlexFile(A1_FILE, { queryName: 'daily activity', statements: [
        { account: A1, fromDate: '2025-03-10', toDate: '2025-03-12', whenGenerated: ny('2025-03-13', '06:12:45'), parts: activityParts },
    ] });
const A1_SECTIONS = {
    AccountInformation: [1, 1, 0, 0], CashReport: [2, 2, 0, 0], CashTransactions: [11, 9, 0, 2], ChangeInNAV: [1, 1, 0, 0], ConversionRates: [2, 2, 0, 0],
    EquitySummaryInBase: [4, 4, 0, 0], OpenPositions: [3, 3, 0, 0], QuantumLedger: [1, 1, 0, 0], Trades: [7, 4, 0, 3],
};
t.test('an Activity statement: every fact once, in its view, numbers exact; roll-ups and summary copies skipped', async (t) => {
    const r = await importFlexFile(sql, A1_FILE);
    t.equal(r.type, 'AF');
    t.equal(r.queryName, 'daily activity');
    t.equal(r.sha256, createHash('sha256').update(fs.readFileSync(A1_FILE)).digest('hex'));
    t.same(bySection(r, A1), A1_SECTIONS, 'per section: rows, new, known, skipped');
    t.same([r.rows, r.new, r.known, r.skipped], [32, 27, 0, 5]);
    t.same(r.statements, [{ account: A1, type: 'AF', fromDate: '2025-03-10', toDate: '2025-03-12', period: '', whenGenerated: '2025-03-13T10:12:45Z', new: true }]);
    const types = await sql `select event_type, count(*)::int as n from ledger.events where stream = ${'flex:' + A1} and source = 'flex' group by 1 order by 1`;
    t.same(Object.fromEntries(types.map((x) => [x.event_type, x.n])), {
        flex_cash_report: 2, flex_cash_transaction: 9, flex_nav: 4, flex_position: 1, flex_position_lot: 2, flex_row: 6, flex_statement: 1, flex_trade: 3,
    }, 'events on stream flex:<account>, by type');
    t.same(await sql `select distinct account from ledger.events where stream = ${'flex:' + A1}`, [{ account: A1 }]);
    // Trades: the three executions, nothing of the roll-ups
    const trades = (await sql `select * from ledger.flex_trades where account = ${A1} order by transaction_id`)
        .map((x) => plain(x, ['trade_date', 'settle_date', 'report_date']));
    t.same(trades.map((x) => x.exec_id), FILLS_A1.map((f) => f.execId), 'one row per execution, Order/SymbolSummary/AssetSummary/Lot not among them');
    const { seq: _s, recorded_at: _r, payload, ...first } = trades[0];
    t.same(first, {
        occurred_at: '2025-03-10T14:15:30.000Z', account: A1, statement_type: 'AF', exec_id: '0000e0d5.67cf1a2b.01.01', transaction_id: '3001', trade_id: '2001', order_id: '4001', brokerage_order_id: null,
        order_ref: 'mm-a:1', con_id: '265598', symbol: 'AAPL', description: 'AAPL', sec_type: 'STK', currency: 'USD', fx_rate_to_base: '1', multiplier: '1', side: 'BUY',
        quantity: '100', price: '213.49', trade_money: '21349', proceeds: '-21349', commission: '1.005', commission_currency: 'USD', taxes: '0', net_cash: '-21350.005',
        cost: '21350.005', fifo_pnl_realized: '0', mtm_pnl: '0', close_price: '213.49', trade_time: '2025-03-10T14:15:30.000Z', trade_date: '2025-03-10',
        settle_date: '2025-03-11', report_date: '2025-03-10', order_time: '2025-03-10T14:15:30.000Z', transaction_type: 'ExchTrade', open_close: 'O', codes: ['P'],
        exchange: 'NASDAQ', order_type: 'LMT', is_api_order: true, cancel: false, correct: false, cancels_transaction_id: null, cancelled_by_transaction_id: null, cancelled_at: null,
        orig_trade_id: null, orig_transaction_id: null, level_of_detail: 'EXECUTION',
    }, 'the first fill, every column');
    t.equal(payload.raw.newFieldX2031, 'abc', 'an unknown attribute is kept raw');
    t.equal(payload.raw.whenceTime, 'soon', 'an unknown time-like attribute that is no date is kept raw, not refused');
    t.notOk('whenceTime' in payload.dates);
    t.notOk('acctAlias' in payload.raw, 'empty attributes are left out');
    t.same(trades.map((x) => [x.quantity, x.price, x.commission, x.net_cash, x.trade_time]), [
        ['100', '213.49', '1.005', '-21350.005', '2025-03-10T14:15:30.000Z'],
        ['50', '213.50', '0.5025', '-10675.5025', '2025-03-10T14:15:31.000Z'],
        ['-60', '215.1', '1.000720223', '12904.999279777', '2025-03-11T18:02:07.000Z'],
    ], 'quantities, prices and commissions to the last digit IB wrote');
    t.same(trades.map((x) => [x.side, x.open_close, x.fifo_pnl_realized, x.mtm_pnl, x.cost]).at(-1), ['SELL', 'C', '94.596279777', '-43.2', '-12809.40']);
    const [fills] = await sql `select count(*)::int as n, sum(quantity)::text as q from ledger.flex_fills where account = ${A1}`;
    t.same(fills, { n: 3, q: '90' }, 'fills add up to the position');
    // Positions: the SUMMARY row in flex_positions, the LOT rows in flex_position_lots
    const pos = (await sql `select report_date::text, con_id, symbol, quantity, mark_price, position_value, open_price, cost_basis_price, cost_basis_money,
                                fifo_pnl_unrealized, side, percent_of_nav from ledger.flex_positions where account = ${A1}`);
    t.same(pos, [{ report_date: '2025-03-12', con_id: '265598', symbol: 'AAPL', quantity: '90', mark_price: '214.37', position_value: '19293.3', open_price: '213.4933333',
            cost_basis_price: '213.4933333', cost_basis_money: '19214.4', fifo_pnl_unrealized: '78.9', side: 'Long', percent_of_nav: '33.41' }]);
    const lots = await sql `select report_date::text, con_id, quantity, cost_basis_money, cost_basis_price, opened_at, originating_transaction_id, code
                           from ledger.flex_position_lots where account = ${A1} order by originating_transaction_id`;
    t.same(lots.map((x) => plain(x)), [
        { report_date: '2025-03-12', con_id: '265598', quantity: '40', cost_basis_money: '8539.6', cost_basis_price: '213.49', opened_at: '2025-03-10T14:15:30.000Z', originating_transaction_id: '3001', code: 'ST' },
        { report_date: '2025-03-12', con_id: '265598', quantity: '50', cost_basis_money: '10675', cost_basis_price: '213.50', opened_at: '2025-03-10T14:15:31.000Z', originating_transaction_id: '3002', code: 'ST' },
    ]);
    // Cash transactions: DETAIL rows once each, the summary copies nowhere
    const ct = await sql `select transaction_id, type, kind, amount, amount_base, time, date::text, report_date::text, ex_date::text, action_id, con_id, symbol
                         from ledger.flex_cash_transactions where account = ${A1} order by transaction_id`;
    t.same(ct.map((x) => plain(x)), [
        { transaction_id: '5001', type: 'Deposits/Withdrawals', kind: 'deposit', amount: '10000', amount_base: '10000', time: null, date: '2025-03-10', report_date: '2025-03-10', ex_date: null, action_id: null, con_id: null, symbol: null },
        { transaction_id: '5002', type: 'Deposits/Withdrawals', kind: 'withdrawal', amount: '-2500.50', amount_base: '-2500.50', time: null, date: '2025-03-11', report_date: '2025-03-11', ex_date: null, action_id: null, con_id: null, symbol: null },
        { transaction_id: '5003', type: 'Dividends', kind: 'dividend', amount: '12.5', amount_base: '12.5', time: '2025-03-13T00:20:00.000Z', date: '2025-03-12', report_date: '2025-03-12', ex_date: '2025-03-10', action_id: '7001', con_id: '265598', symbol: 'AAPL' },
        { transaction_id: '5004', type: 'Withholding Tax', kind: 'tax', amount: '-1.875', amount_base: '-1.875', time: '2025-03-13T00:20:00.000Z', date: '2025-03-12', report_date: '2025-03-12', ex_date: null, action_id: '7001', con_id: '265598', symbol: 'AAPL' },
        { transaction_id: '5005', type: 'Broker Interest Received', kind: 'interest', amount: '3.21', amount_base: '3.21', time: null, date: '2025-03-11', report_date: '2025-03-11', ex_date: null, action_id: null, con_id: null, symbol: null },
        { transaction_id: '5006', type: 'Other Fees', kind: 'fee', amount: '-9.18', amount_base: '-9.18', time: null, date: '2025-03-11', report_date: '2025-03-11', ex_date: null, action_id: null, con_id: null, symbol: null },
        { transaction_id: '5007', type: 'Other Fees', kind: 'fee', amount: '9.18', amount_base: '9.18', time: null, date: '2025-03-11', report_date: '2025-03-11', ex_date: null, action_id: null, con_id: null, symbol: null },
        { transaction_id: '5008', type: 'Withholding Tax', kind: 'tax', amount: '0.75', amount_base: '0.75', time: null, date: '2025-01-14', report_date: '2025-03-11', ex_date: null, action_id: '6999', con_id: '265598', symbol: 'AAPL' },
        { transaction_id: '5009', type: 'Withholding Tax', kind: 'tax', amount: '-0.75', amount_base: '-0.75', time: null, date: '2025-01-14', report_date: '2025-03-11', ex_date: null, action_id: '6999', con_id: '265598', symbol: 'AAPL' },
    ], 'deposit, withdrawal, dividend and its tax (one actionID), interest, a fee and its refund, a reversal pair; no summary copy');
    const cr = await sql `select currency, level_of_detail, from_date::text, to_date::text, starting_cash, commissions, deposits, withdrawals, deposit_withdrawals, dividends,
                              withholding_tax, broker_interest, other_fees, net_trades_sales, net_trades_purchases, fx_translation_gain_loss, ending_cash, ending_settled_cash
                         from ledger.flex_cash_report where account = ${A1} order by currency`;
    const crRow = { from_date: '2025-03-10', to_date: '2025-03-12', starting_cash: '50000', commissions: '-2.508220223', deposits: '10000', withdrawals: '-2500.50',
        deposit_withdrawals: '7499.50', dividends: '12.5', withholding_tax: '-1.875', broker_interest: '3.21', other_fees: '0', net_trades_sales: '12906',
        net_trades_purchases: '-32024', ending_cash: '38392.826779777', ending_settled_cash: '38392.826779777' };
    t.same(cr, [
        { currency: 'BASE_SUMMARY', level_of_detail: 'BaseCurrency', ...crRow, fx_translation_gain_loss: '0' },
        { currency: 'USD', level_of_detail: 'Currency', ...crRow, fx_translation_gain_loss: null },
    ]);
    t.same(await sql `select report_date::text, currency, cash, stock, interest_accruals, nav from ledger.flex_nav where account = ${A1} order by report_date`, [
        { report_date: '2025-03-07', currency: 'USD', cash: '50000', stock: '0', interest_accruals: '0.41', nav: '50000' },
        { report_date: '2025-03-10', currency: 'USD', cash: '27974.4925', stock: '32130', interest_accruals: '0.41', nav: '60104.9025' },
        { report_date: '2025-03-11', currency: 'USD', cash: '38379.991779777', stock: '19279.2', interest_accruals: '0.41', nav: '57659.601779777' },
        { report_date: '2025-03-12', currency: 'USD', cash: '38392.826779777', stock: '19293.3', interest_accruals: '0.41', nav: '57686.536779777' },
    ], 'NAV per day, the business day before fromDate included');
    // Everything else, raw in flex_rows
    const rows = await sql `select section, element, transaction_id, dates, raw from ledger.flex_rows where account = ${A1} order by section, element, raw->>'reportDate'`;
    t.same(rows.map((x) => [x.section, x.element, x.transaction_id]), [
        ['AccountInformation', 'AccountInformation', null], ['ChangeInNAV', 'ChangeInNAV', null],
        ['ConversionRates', 'ConversionRate', null], ['ConversionRates', 'ConversionRate', null],
        ['QuantumLedger', 'QuantumEntry', '9001'], ['Trades', 'Lot', null],
    ]);
    t.same(rows[1].raw, { accountId: A1, currency: 'USD', fromDate: '20250310', toDate: '20250312', startingValue: '50000', mtm: '105.6', realized: '0',
        depositsWithdrawals: '7499.50', dividends: '12.5', withholdingTax: '-1.875', interest: '3.21', commissions: '-2.508220223', otherFees: '0', endingValue: '57616.426779777', twr: '0.0507' }, 'ChangeInNAV, a bare element, kept with every attribute as written');
    t.same(rows.slice(2, 4).map((x) => [x.dates.reportDate, x.raw.rate]), [['2025-03-10', '1.0834'], ['2025-03-11', '1.0901']]);
    t.same(rows[4].raw, { accountId: A1, transactionID: '9001', flux: '3.14159265358979', glimmerDate: '20250311', whenceTime: 'soon' }, 'the unknown section, raw');
    t.same(rows[4].dates, { glimmerDate: '2025-03-11' });
    t.same([rows[5].raw.levelOfDetail, rows[5].dates.openDateTime, rows[5].dates.dateTime], ['CLOSED_LOT', '2025-03-10T14:15:30Z', '2025-03-11T18:02:07Z']);
    t.equal((await sql `select count(*)::int as n from ledger.flex_rows where account = ${A1} and section in ('CorporateActions', 'OptionEAE')`)[0].n, 0, 'empty sections add nothing');
    const [st] = await sql `select type, query_name, from_date::text, to_date::text, period, when_generated, file, sha256, rows, skipped from ledger.flex_statements where account = ${A1}`;
    t.same(plain(st), {
        type: 'AF', query_name: 'daily activity', from_date: '2025-03-10', to_date: '2025-03-12', period: null, when_generated: '2025-03-13T10:12:45.000Z',
        file: 'activity.xml', sha256: r.sha256,
        rows: { AccountInformation: 1, CashReport: 2, CashTransactions: 11, ChangeInNAV: 1, ConversionRates: 2, EquitySummaryInBase: 4, OpenPositions: 3, QuantumLedger: 1, Trades: 7 },
        skipped: { CashTransactions: 2, Trades: 3 },
    });
});
// ---------------------------------------------------------------------------------------
// 2. Trade Confirmation, then the same executions in the Activity statement.
const A2 = 'U1000002';
const MSFT = { conid: '272093', symbol: 'MSFT' };
const TCF_EXECS = [
    { execID: '0000e0d5.67d2f001.01.01', tradeID: '8001', quantity: '120', price: '99.25', amount: '11910', commission: '-0.6', time: ny('2025-03-13', '09:41:07') },
    { execID: '0000e0d5.67d2f002.01.01', tradeID: '8002', quantity: '80', price: '99.26', amount: '7940.8', commission: '-0.4', time: ny('2025-03-13', '09:41:09') },
];
t.test('a Trade Confirmation: its executions in flex_trades; the Activity statement later replaces them, once', async (t) => {
    const tcf = await writeFlexFile(file('tcf.xml'), { type: 'TCF', queryName: 'today', statements: [{
                account: A2, fromDate: '2025-03-13', toDate: '2025-03-13', period: 'Today', whenGenerated: ny('2025-03-13', '09:55:00'),
                parts: (w) => [{ section: 'TradeConfirms', rows: [
                            ['Order', { accountId: A2, currency: 'USD', assetCategory: 'STK', ...MSFT, orderID: '5001', buySell: 'BUY', quantity: '200', price: '99.254', levelOfDetail: 'ORDER', execID: '' }],
                            ...TCF_EXECS.map((e) => ['TradeConfirm', {
                                    transactionType: 'ExchTrade', openCloseIndicator: 'O', buySell: 'BUY', orderType: 'LMT', assetCategory: 'STK', accountId: A2, currency: 'USD', fxRateToBase: '1',
                                    ...MSFT, description: 'MICROSOFT CORP', multiplier: '1', tradeID: e.tradeID, reportDate: w.d('2025-03-13'), tradeDate: w.d('2025-03-13'), settleDate: w.d('2025-03-14'),
                                    dateTime: w.dt(e.time), exchange: 'ISLAND', quantity: e.quantity, price: e.price, amount: e.amount, proceeds: '-' + e.amount, commission: e.commission,
                                    brokerExecutionCommission: e.commission, commissionCurrency: 'USD', tax: '0', code: 'P;O', orderID: '5001', execID: e.execID, levelOfDetail: 'EXECUTION',
                                    isAPIOrder: 'Y', allocatedTo: '', blockID: '', orderReference: 'mm-b:7',
                                }]),
                            ['SymbolSummary', { accountId: A2, ...MSFT, levelOfDetail: 'SYMBOL_SUMMARY', quantity: '200', tradeDate: 'MULTI', execID: '' }],
                        ] }],
            }] });
    const r = await importFlexFile(sql, tcf);
    t.equal(r.type, 'TCF');
    t.same(bySection(r, A2), { TradeConfirms: [4, 2, 0, 2] });
    const cols = sql `statement_type, exec_id, transaction_id, trade_id, order_id, order_ref, side, quantity, price, commission, commission_currency, net_cash,
                   trade_time, trade_date::text, settle_date::text, codes, level_of_detail`;
    const tcfRows = (await sql `select ${cols} from ledger.flex_trades where account = ${A2} order by exec_id`).map((x) => plain(x));
    t.same(tcfRows, TCF_EXECS.map((e) => ({
        statement_type: 'TCF', exec_id: e.execID, transaction_id: null, trade_id: e.tradeID, order_id: '5001', order_ref: 'mm-b:7', side: 'BUY', quantity: e.quantity,
        price: e.price, commission: e.commission.slice(1), commission_currency: 'USD', net_cash: null, trade_time: new Date(e.time).toISOString(),
        trade_date: '2025-03-13', settle_date: '2025-03-14', codes: ['P', 'O'], level_of_detail: 'EXECUTION',
    })), 'TCF names (execID, orderID, price, commission, code) read into the same columns');
    const fills = TCF_EXECS.map((e, i) => ({
        account: A2, execId: e.execID, transactionId: String(31001 + i), tradeId: e.tradeID, orderId: '5001', orderRef: 'mm-b:7', conId: MSFT.conid, symbol: 'MSFT',
        side: 'BUY', quantity: e.quantity, price: e.price, commission: e.commission.slice(1), time: e.time, exchange: 'ISLAND', notes: 'P',
    }));
    const af = await writeFlexFile(file('tcf-then-af.xml'), { statements: [{
                account: A2, fromDate: '2025-03-13', toDate: '2025-03-13', period: 'LastBusinessDay', whenGenerated: ny('2025-03-14', '05:40:00'),
                parts: (w) => [{ section: 'Trades', rows: [
                            ...fills.map((f) => ['Trade', tradeRow(w, f)]),
                            // some exports write closed lots as Trade rows: not a fill either
                            ['Trade', { ...tradeRow(w, fills[0]), levelOfDetail: 'CLOSED_LOT', transactionID: '', ibExecID: '', tradeID: '' }],
                        ] }],
            }] });
    const r2 = await importFlexFile(sql, af);
    t.same(bySection(r2, A2), { Trades: [3, 3, 0, 0] }, 'the AF rows are recorded beside the TCF ones (the CLOSED_LOT row as a flex_row)');
    const afRows = (await sql `select ${cols} from ledger.flex_trades where account = ${A2} order by exec_id`).map((x) => plain(x));
    t.same(afRows.map((x) => [x.statement_type, x.exec_id, x.transaction_id, x.quantity, x.net_cash]), [
        ['AF', TCF_EXECS[0].execID, '31001', '120', '-11910.6'],
        ['AF', TCF_EXECS[1].execID, '31002', '80', '-7941.2'],
    ], 'each execution once, from the Activity statement');
    t.equal((await sql `select count(*)::int as n from ledger.events where account = ${A2} and event_type = 'flex_trade'`)[0].n, 4, 'both reports stay in the ledger');
    t.equal((await sql `select count(*)::int as n from ledger.flex_fills where account = ${A2}`)[0].n, 2);
    t.same(await sql `select section, element, raw->>'levelOfDetail' as l from ledger.flex_rows where account = ${A2}`, [{ section: 'Trades', element: 'Trade', l: 'CLOSED_LOT' }]);
});
// ---------------------------------------------------------------------------------------
// 3. Two accounts in one file.
const M1 = 'U2000001', M2 = 'U2000002';
async function multiAccountFile(name) {
    const statement = (account, base, fill, fx) => ({
        account, fromDate: '2025-03-12', toDate: '2025-03-12', period: 'LastBusinessDay', whenGenerated: ny('2025-03-13', '05:00:00'),
        parts: (w) => [
            { bare: 'AccountInformation', attrs: { accountId: account, currency: base, name: account } },
            { section: 'Trades', rows: [['Trade', tradeRow(w, fill, { fxRateToBase: fx })], ['Order', { accountId: account, levelOfDetail: 'ORDER', ibOrderID: fill.orderId }]] },
            { section: 'CashReport', rows: [['CashReportCurrency', { accountId: account, currency: 'BASE_SUMMARY', levelOfDetail: 'BaseCurrency', startingCash: '1000', endingCash: '900' }]] },
        ],
    });
    return writeFlexFile(file(name), { queryName: 'family', statements: [
            statement(M1, 'USD', { account: M1, execId: '0000f1a0.1.01.01', transactionId: '41001', tradeId: '42001', orderId: '43001', conId: AAPL.conid, symbol: 'AAPL',
                side: 'BUY', quantity: '1', price: '100', commission: '1', time: ny('2025-03-12', '11:00:00') }, '1'),
            statement(M2, 'EUR', { account: M2, execId: '0000f1a0.2.01.01', transactionId: '41002', tradeId: '42002', orderId: '43002', conId: '14094', symbol: 'SAP',
                currency: 'EUR', exchange: 'IBIS', side: 'SELL', quantity: '3', price: '250.15', commission: '1.25', time: ny('2025-03-12', '05:30:00') }, '1'),
        ] });
}
t.test('a file with two accounts: one stream each, counted per account', async (t) => {
    const f = await multiAccountFile('family.xml');
    const cli = await runCli(['flex', 'import', f], { env });
    t.equal(cli.code, 0, cli.stderr);
    const lines = cli.stdout.split('\n');
    t.match(lines[0], /family\.xml: Activity statement "family", 2 accounts/);
    t.match(cli.stdout, /^ {2}U2000001 {2}2025-03-12 \(LastBusinessDay\), generated 2025-03-13T09:00:00Z$/m);
    t.match(cli.stdout, /^ {2}U2000002 {2}2025-03-12 \(LastBusinessDay\), generated 2025-03-13T09:00:00Z$/m);
    for (const acct of [M1, M2]) {
        t.match(cli.stdout, new RegExp(`^ {2}${acct} +AccountInformation +1 +0 +0$`, 'm'));
        t.match(cli.stdout, new RegExp(`^ {2}${acct} +CashReport +1 +0 +0$`, 'm'));
        t.match(cli.stdout, new RegExp(`^ {2}${acct} +Trades +1 +0 +1$`, 'm'), `${acct}: the fill new, the Order row skipped`);
    }
    t.match(cli.stdout, /^ {2}6 new, 0 already known, 2 not recorded/m);
    t.same(await streamsLike('flex:U2%'), ['flex:' + M1, 'flex:' + M2]);
    const per = await sql `select stream, account, count(*)::int as n from ledger.events where stream like 'flex:U2%' group by 1, 2 order by 1`;
    t.same(per, [{ stream: 'flex:' + M1, account: M1, n: 4 }, { stream: 'flex:' + M2, account: M2, n: 4 }], 'three rows and a statement each, each on its own stream');
    t.same(await sql `select account, currency, quantity, price, proceeds, commission from ledger.flex_trades where account like 'U2%' order by account`, [
        { account: M1, currency: 'USD', quantity: '1', price: '100', proceeds: '-100', commission: '1' },
        { account: M2, currency: 'EUR', quantity: '-3', price: '250.15', proceeds: '750.45', commission: '1.25' },
    ]);
    t.same(await sql `select account, type from ledger.flex_statements where account like 'U2%' order by account`, [{ account: M1, type: 'AF' }, { account: M2, type: 'AF' }]);
});
// ---------------------------------------------------------------------------------------
// 5. The same statement twice, and overlapping statements.
t.test('importing the same file again adds nothing and says so', async (t) => {
    const before = await eventCount();
    const r = await importFlexFile(sql, A1_FILE);
    t.same(bySection(r, A1), Object.fromEntries(Object.entries(A1_SECTIONS).map(([s, [rows, n, , skipped]]) => [s, [rows, 0, n, skipped]])), 'all known, none new');
    t.same([r.new, r.known, r.skipped], [0, 27, 5]);
    t.equal(r.statements[0].new, false, 'the statement is marked already imported');
    t.equal(await eventCount(), before, 'the ledger did not grow');
    const cli = await runCli(['flex', 'import', A1_FILE], { env });
    t.equal(cli.code, 0, cli.stderr);
    t.match(cli.stdout, /^ {2}U1000001 {2}2025-03-10 to 2025-03-12, generated 2025-03-13T10:12:45Z {2}\[statement already imported\]$/m);
    t.match(cli.stdout, /^ {2}U1000001 +CashTransactions +0 +9 +2$/m);
    t.match(cli.stdout, /^ {2}0 new, 27 already known, 5 not recorded/m);
    t.equal(await eventCount(), before);
});
t.test('overlapping statements (days 1-3, then 2-4) add only day 4', async (t) => {
    const A = 'U3000001';
    const days = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06'];
    const statement = (from, to) => ({
        account: A, fromDate: days[from], toDate: days[to], whenGenerated: ny(days[to], '23:00:00'),
        parts: (w) => {
            const span = days.slice(from, to + 1);
            return [
                { section: 'Trades', rows: span.map((d) => {
                        const i = days.indexOf(d);
                        return ['Trade', tradeRow(w, { account: A, execId: `0000aa00.${i}.01.01`, transactionId: String(51000 + i), tradeId: String(52000 + i), orderId: String(53000 + i),
                                conId: AAPL.conid, symbol: 'AAPL', side: 'BUY', quantity: '1', price: String(200 + i), commission: '1', time: ny(d, '10:00:00') })];
                    }) },
                { section: 'CashTransactions', rows: span.map((d) => cash(w, { date: d, accountId: A, type: 'Broker Interest Received', amount: '0.1', transactionID: String(54000 + days.indexOf(d)) })) },
                { section: 'EquitySummaryInBase', rows: span.map((d) => ['EquitySummaryByReportDateInBase', { accountId: A, currency: 'USD', reportDate: w.d(d), cash: '100', total: '100' }]) },
                // a summary copy without transactionID: keyed by content, skipped either way
                { section: 'ConversionRates', rows: span.map((d) => ['ConversionRate', { reportDate: w.d(d), fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.08' }]) },
            ];
        },
    });
    const first = await importFlexFile(sql, await writeFlexFile(file('days-1-3.xml'), { statements: [statement(0, 2)] }));
    t.same(bySection(first, A), { CashTransactions: [3, 3, 0, 0], ConversionRates: [3, 3, 0, 0], EquitySummaryInBase: [3, 3, 0, 0], Trades: [3, 3, 0, 0] });
    const second = await importFlexFile(sql, await writeFlexFile(file('days-2-4.xml'), { statements: [statement(1, 3)] }));
    t.same(bySection(second, A), { CashTransactions: [3, 1, 2, 0], ConversionRates: [3, 1, 2, 0], EquitySummaryInBase: [3, 1, 2, 0], Trades: [3, 1, 2, 0] }, 'only day 4 is new (rows keyed by transactionID, by report date, or by content)');
    t.equal(second.statements[0].new, true, 'a different statement is new');
    t.same((await sql `select trade_date::text as d from ledger.flex_trades where account = ${A} order by 1`).map((x) => x.d), days);
    t.same((await sql `select date::text as d from ledger.flex_cash_transactions where account = ${A} order by 1`).map((x) => x.d), days);
    t.same((await sql `select report_date::text as d from ledger.flex_nav where account = ${A} order by 1`).map((x) => x.d), days);
    t.same((await sql `select from_date::text as f, to_date::text as t from ledger.flex_statements where account = ${A} order by 1`), [{ f: days[0], t: days[2] }, { f: days[1], t: days[3] }]);
});
// ---------------------------------------------------------------------------------------
// 6. A fill, then its cancellation and a replacement in a later statement.
t.test('a cancellation links to the fill it cancels; flex_fills keeps only standing fills', async (t) => {
    const A = 'U4000001';
    const fill = (txn, trade, exec, price) => ({
        account: A, execId: exec, transactionId: txn, tradeId: trade, orderId: '61000', conId: MSFT.conid, symbol: 'MSFT', side: 'BUY', quantity: '100', price, commission: '0.5',
        time: ny('2025-03-10', '15:01:02'),
    });
    const original = fill('60001', '70001', '0000bb00.1.01.01', '380.10');
    await importFlexFile(sql, await writeFlexFile(file('cancel-1.xml'), { statements: [{
                account: A, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [['Trade', tradeRow(w, original)]] }],
            }] }));
    const r = await importFlexFile(sql, await writeFlexFile(file('cancel-2.xml'), { statements: [{
                account: A, fromDate: '2025-03-11', toDate: '2025-03-11', whenGenerated: ny('2025-03-12', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [
                            ['Trade', tradeRow(w, original, {
                                    transactionType: 'TradeCancel', buySell: 'BUY (Ca.)', notes: 'Ca', ibExecID: '', tradeID: '', transactionID: '60002', quantity: '-100', tradeMoney: '-38010',
                                    proceeds: '38010', ibCommission: '0.5', netCash: '38010.5', reportDate: w.d('2025-03-11'), origTransactionID: '60001', origTradeID: '70001', origTradePrice: '380.10',
                                    origTradeDate: w.d('2025-03-10'),
                                })],
                            ['Trade', tradeRow(w, fill('60003', '70003', '0000bb00.3.01.01', '380.01'), { reportDate: w.d('2025-03-11') })],
                        ] }],
            }] }));
    t.same(bySection(r, A), { Trades: [2, 2, 0, 0] });
    const rows = await sql `select transaction_id, exec_id, side, quantity, price, cancel, cancels_transaction_id, cancelled_by_transaction_id, cancelled_at is not null as has_cancelled_at,
                                orig_transaction_id, orig_trade_id, report_date::text, codes, transaction_type
                           from ledger.flex_trades where account = ${A} order by transaction_id`;
    t.same(rows, [
        { transaction_id: '60001', exec_id: '0000bb00.1.01.01', side: 'BUY', quantity: '100', price: '380.10', cancel: false, cancels_transaction_id: null,
            cancelled_by_transaction_id: '60002', has_cancelled_at: true, orig_transaction_id: null, orig_trade_id: null, report_date: '2025-03-10', codes: [], transaction_type: 'ExchTrade' },
        { transaction_id: '60002', exec_id: null, side: 'BUY', quantity: '-100', price: '380.10', cancel: true, cancels_transaction_id: '60001',
            cancelled_by_transaction_id: null, has_cancelled_at: false, orig_transaction_id: '60001', orig_trade_id: '70001', report_date: '2025-03-11', codes: ['Ca'], transaction_type: 'TradeCancel' },
        { transaction_id: '60003', exec_id: '0000bb00.3.01.01', side: 'BUY', quantity: '100', price: '380.01', cancel: false, cancels_transaction_id: null,
            cancelled_by_transaction_id: null, has_cancelled_at: false, orig_transaction_id: null, orig_trade_id: null, report_date: '2025-03-11', codes: [], transaction_type: 'ExchTrade' },
    ], 'the cancel row, the original it cancels, the replacement');
    t.same(await sql `select transaction_id, quantity from ledger.flex_fills where account = ${A}`, [{ transaction_id: '60003', quantity: '100' }], 'only the replacement stands');
    t.equal((await sql `select count(*)::int as n from ledger.events where account = ${A} and event_type = 'flex_trade'`)[0].n, 3, 'linked, never deleted');
});
// Rows without an id are keyed by content: two equal ones in a statement are two facts,
// and importing it again still adds nothing.
t.test('equal rows without ids are each recorded once, and only once', async (t) => {
    const A = 'U4000003';
    const fee = { accountId: A, currency: 'USD', fxRateToBase: '1', type: 'Other Fees', amount: '-1.00', description: 'MARKET DATA', transactionID: '' };
    const f = await writeFlexFile(file('equal-rows.xml'), { statements: [{
                account: A, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
                parts: (w) => [{ section: 'CashTransactions', rows: [
                            ['CashTransaction', { ...fee, dateTime: w.d('2025-03-10'), levelOfDetail: 'DETAIL' }],
                            ['CashTransaction', { ...fee, dateTime: w.d('2025-03-10'), levelOfDetail: 'DETAIL' }],
                            ['CashTransaction', { ...fee, amount: '-2.00', dateTime: w.d('2025-03-10'), levelOfDetail: 'DETAIL' }],
                        ] }],
            }] });
    const first = await importFlexFile(sql, f);
    t.same(bySection(first, A), { CashTransactions: [3, 3, 0, 0] });
    const again = await importFlexFile(sql, f);
    t.same(bySection(again, A), { CashTransactions: [3, 0, 3, 0] });
    t.same((await sql `select amount::text as a from ledger.flex_cash_transactions where account = ${A}`).map((r) => r.a).sort(), ['-1.00', '-1.00', '-2.00']);
});
// Closed lots carry the opening trade's transactionID: the lots of one opening closed by two
// sells share it and are still two facts. A correction repeating the execution id it
// corrects replaces that row and stands itself.
t.test('closed lots sharing a transactionID, and a correction repeating its execution id, are all kept', async (t) => {
    const A = 'U4000004';
    const open = { account: A, execId: '0000bb02.1.01.01', transactionId: '61001', tradeId: '71001', orderId: '62001', conId: AAPL.conid, symbol: 'AAPL',
        side: 'BUY', quantity: '100', price: '200', commission: '1', time: ny('2025-03-10', '10:00:00') };
    const lot = (w, qty, closed, pnl) => ({
        accountId: A, currency: 'USD', assetCategory: 'STK', symbol: 'AAPL', conid: AAPL.conid, transactionID: '61001', levelOfDetail: 'CLOSED_LOT',
        quantity: qty, tradePrice: '200', cost: String(Number(qty) * 200), fifoPnlRealized: pnl, openDateTime: w.dt(ny('2025-03-10', '10:00:00')),
        dateTime: w.dt(ny('2025-03-10', closed)), buySell: 'SELL',
    });
    const r = await importFlexFile(sql, await writeFlexFile(file('lots.xml'), { statements: [{
                account: A, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [
                            ['Trade', tradeRow(w, open)],
                            ['Lot', lot(w, '50', '11:00:00', '499')],
                            ['Lot', lot(w, '50', '12:00:00', '999')],
                            ['Trade', tradeRow(w, open, { transactionType: 'TradeCorrect', notes: 'Co', transactionID: '61002', tradePrice: '200.5', origTransactionID: '61001', reportDate: w.d('2025-03-11') })],
                        ] }],
            }] }));
    t.same(bySection(r, A), { Trades: [4, 4, 0, 0] });
    t.same((await sql `select raw ->> 'fifoPnlRealized' as pnl from ledger.flex_rows where account = ${A} and element = 'Lot' order by 1`).map((x) => x.pnl), ['499', '999']);
    t.same(await sql `select transaction_id, correct, cancelled_by_transaction_id from ledger.flex_trades where account = ${A} order by transaction_id`, [
        { transaction_id: '61001', correct: false, cancelled_by_transaction_id: '61002' },
        { transaction_id: '61002', correct: true, cancelled_by_transaction_id: null },
    ]);
    t.same(await sql `select transaction_id, price::text from ledger.flex_fills where account = ${A}`, [{ transaction_id: '61002', price: '200.5' }], 'the correction stands');
});
// A cancellation that repeats the original's ibExecID and names no original (not every
// export fills the orig* ids): still its own fact, linked by the execution id.
t.test('a cancellation carrying the original execution id is recorded and linked by it', async (t) => {
    const A = 'U4000002';
    const original = {
        account: A, execId: '0000bb01.1.01.01', transactionId: '60101', tradeId: '70101', orderId: '61001', conId: MSFT.conid, symbol: 'MSFT', side: 'SELL', quantity: '30', price: '381.5',
        commission: '0.5', time: ny('2025-03-10', '11:00:00'),
    };
    await importFlexFile(sql, await writeFlexFile(file('cancel-exec-1.xml'), { statements: [{
                account: A, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [['Trade', tradeRow(w, original)]] }],
            }] }));
    const r = await importFlexFile(sql, await writeFlexFile(file('cancel-exec-2.xml'), { statements: [{
                account: A, fromDate: '2025-03-11', toDate: '2025-03-11', whenGenerated: ny('2025-03-12', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [['Trade', tradeRow(w, original, {
                                    transactionType: 'TradeCancel', buySell: 'SELL (Ca.)', notes: 'Ca', transactionID: '60102', quantity: '30', reportDate: w.d('2025-03-11'),
                                })]] }],
            }] }));
    t.same(bySection(r, A), { Trades: [1, 1, 0, 0] }, 'the cancellation is new, not a duplicate of the fill');
    const rows = await sql `select transaction_id, cancel, cancelled_by_transaction_id from ledger.flex_trades where account = ${A} order by transaction_id`;
    t.same(rows, [
        { transaction_id: '60101', cancel: false, cancelled_by_transaction_id: '60102' },
        { transaction_id: '60102', cancel: true, cancelled_by_transaction_id: null },
    ]);
    t.same(await sql `select * from ledger.flex_fills where account = ${A}`, [], 'nothing stands');
});
// ---------------------------------------------------------------------------------------
// 7. Refusals: a clear error naming where, exit 2, nothing written.
const BAD = 'U9000001';
async function goodText(account = BAD) {
    const f = await writeFlexFile(file(`base-${account}.xml`), { statements: [{
                account, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
                parts: (w) => [{ section: 'Trades', rows: [1, 2, 3].map((i) => ['Trade', tradeRow(w, {
                                account, execId: `0000cc00.${i}.01.01`, transactionId: String(91000 + i), tradeId: String(92000 + i), orderId: '93000', conId: AAPL.conid, symbol: 'AAPL',
                                side: 'BUY', quantity: '10', price: '210.5', commission: '1', time: ny('2025-03-10', `10:0${i}:00`),
                            })]) }],
            }] });
    return fs.readFileSync(f, 'utf8');
}
const lineOf = (text, needle) => text.slice(0, text.indexOf(needle)).split('\n').length;
t.test('a broken file is refused whole, naming the line, the element or attribute; nothing is written', async (t) => {
    const good = await goodText();
    const rowStart = (n) => { let i = -1; for (let k = 0; k < n; k++)
        i = good.indexOf('<Trade ', i + 1); return i; };
    const cases = [
        { name: 'mismatched.xml', text: good.replace('</Trades>', '</Trade>'), code: 'FLEX_MALFORMED',
            err: [new RegExp(`line ${lineOf(good, '</Trades>')}, column \\d+: not well-formed XML`), /an end tag that does not close <Trades>/] },
        { name: 'cut-in-row.xml', text: good.slice(0, good.indexOf('tradePrice=', rowStart(2))), code: 'FLEX_TRUNCATED',
            err: [new RegExp(`line ${lineOf(good, 'tradePrice=') + 1}: the file ends inside the document \\(unclosed tag: Trades\\): it is truncated`)] },
        { name: 'cut-at-row.xml', text: good.slice(0, rowStart(3)), code: 'FLEX_TRUNCATED',
            err: [new RegExp(`line ${lineOf(good, '<FlexStatement ') + 4}: the file ends inside the document \\(unclosed tag: Trades\\): it is truncated`)] },
        { name: 'service-error.xml', code: 'FLEX_NOT_A_STATEMENT', err: [/Flex Web Service answer/, /1012/, /Token has expired/],
            text: '<FlexStatementResponse timestamp="13 March, 2025 06:00 AM EDT">\n<Status>Fail</Status>\n<ErrorCode>1012</ErrorCode>\n<ErrorMessage>Token has expired.</ErrorMessage>\n</FlexStatementResponse>\n' },
        { name: 'wrong-root.xml', text: '<?xml version="1.0"?>\n<html><body>Service unavailable</body></html>\n', code: 'FLEX_NOT_A_STATEMENT', err: [/<html>/, /FlexQueryResponse/] },
        { name: 'wrong-type.xml', text: good.replace('type="AF"', 'type="MTM"'), code: 'FLEX_NOT_A_STATEMENT', err: [/type is "MTM"/, /AF/, /TCF/] },
        { name: 'count.xml', text: good.replace('count="1"', 'count="2"'), code: 'FLEX_MALFORMED', err: [/count="2"/, /1 FlexStatement/] },
        { name: 'bad-quantity.xml', text: good.replace(/quantity="10"/g, (m, off) => (off > rowStart(2) && off < rowStart(3) ? 'quantity="1O"' : m)), code: 'FLEX_BAD_ROW',
            err: [new RegExp(`line ${lineOf(good, '<Trade ') + 1}: <Trade> in Trades, attribute quantity: "1O" is not a number`)] },
        { name: 'bad-date.xml', text: good.replace(/reportDate="20250310"/, 'reportDate="20251341"'), code: 'FLEX_BAD_ROW',
            err: [new RegExp(`line ${lineOf(good, '<Trade ')}: <Trade> in Trades, attribute reportDate: "20251341" is not a date`)] },
        { name: 'empty.xml', text: '', code: 'FLEX_MALFORMED', err: [/empty\.xml/, /line 1\b/] },
        { name: 'missing.xml', code: 'INPUT_MISSING', err: [/missing\.xml: no such file/] },
    ];
    const before = await eventCount();
    for (const c of cases) {
        c.path = file(c.name);
        if (c.text !== undefined)
            fs.writeFileSync(c.path, c.text);
    }
    // in process: the error's code and message
    for (const c of cases) {
        await t.rejects(importFlexFile(sql, c.path), { name: 'BlotterError', code: c.code }, `${c.name}: ${c.code}`);
        const err = await importFlexFile(sql, c.path).then(() => null, (e) => e);
        for (const re of c.err)
            t.match(err?.message, re, `${c.name}: the message says ${re}`);
        if (c.text !== undefined)
            t.match(err?.message, /nothing was imported/, `${c.name}: says nothing was imported`);
    }
    // through the CLI: exit 2 and the same words on stderr
    const results = await Promise.all(cases.map((c) => runCli(['flex', 'import', c.path], { env })));
    results.forEach((r, i) => {
        const c = cases[i];
        t.equal(r.code, 2, `${c.name}: exit 2`);
        t.match(r.stderr, new RegExp(`\\[${c.code}\\]`), `${c.name}: the code on stderr`);
        for (const re of c.err)
            t.match(r.stderr, re, `${c.name}: stderr says ${re}`);
        t.equal(r.stdout, '', `${c.name}: no report of rows`);
    });
    t.equal(await eventCount(), before, 'no event written');
    t.same(await streamsLike('flex:U9%'), [], 'no flex stream created');
});
t.test('several statements, the last one broken: nothing of the earlier ones is written', async (t) => {
    const accounts = ['U9100001', 'U9100002', 'U9100003'];
    const N = 1500;
    const f = await writeFlexFile(file('last-broken.xml'), { statements: accounts.map((account, s) => ({
            account, fromDate: '2025-03-10', toDate: '2025-03-10', whenGenerated: ny('2025-03-11', '05:00:00'),
            parts: (w) => [{ section: 'Trades', rows: Array.from({ length: s < 2 ? N : 3 }, (_, i) => ['Trade', tradeRow(w, {
                            account, execId: `0000dd0${s}.${i}.01.01`, transactionId: String(1_000_000 * (s + 1) + i), tradeId: String(2_000_000 * (s + 1) + i), orderId: String(3_000_000 + i),
                            conId: AAPL.conid, symbol: 'AAPL', side: i % 2 ? 'SELL' : 'BUY', quantity: '10', price: '210.5', commission: '1', time: ny('2025-03-10', '10:00:00'),
                        }, s === 2 && i === 2 ? { tradePrice: 'twelve' } : {})]) }],
        })) });
    const size = fs.statSync(f).size;
    t.ok(size > 2 * 1024 * 1024, `the file (${size} bytes) is read and written in many chunks`);
    const before = await eventCount();
    let seen = 0;
    const err = await importFlexFile(sql, f, { onProgress: (b) => { seen = b; } }).then(() => null, (e) => e);
    t.equal(err?.code, 'FLEX_BAD_ROW');
    t.match(err?.message, /<Trade> in Trades, attribute tradePrice: "twelve" is not a number/);
    t.ok(seen >= size - 256 * 1024, 'the earlier statements went through the COPY before the broken row was read');
    t.equal(await eventCount(), before, 'nothing written');
    t.same(await streamsLike('flex:U91%'), []);
    const cli = await runCli(['flex', 'import', f], { env });
    t.equal(cli.code, 2);
    t.match(cli.stderr, /tradePrice: "twelve" is not a number.*nothing was imported \[FLEX_BAD_ROW\]/);
    t.equal(await eventCount(), before);
});
// ---------------------------------------------------------------------------------------
// 8. The command line.
t.test('the CLI: --json, several files, usage errors', async (t) => {
    const f = await multiAccountFile('family-again.xml');
    const j = await runCli(['flex', 'import', f, '--json'], { env });
    t.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    t.same([out.type, out.queryName, out.new, out.known, out.skipped], ['AF', 'family', 0, 6, 2], 'the family file again: all known');
    t.same(out.statements.map((s) => [s.account, s.new]), [[M1, false], [M2, false]]);
    t.same(out.sections.map((s) => [s.account, s.section, s.rows, s.new, s.known, s.skipped]), [
        [M1, 'AccountInformation', 1, 0, 1, 0], [M1, 'CashReport', 1, 0, 1, 0], [M1, 'Trades', 2, 0, 1, 1],
        [M2, 'AccountInformation', 1, 0, 1, 0], [M2, 'CashReport', 1, 0, 1, 0], [M2, 'Trades', 2, 0, 1, 1],
    ]);
    // two files, the second refused: the first stays, exit 2
    const okFile = file(`base-U9200001.xml`);
    fs.writeFileSync(okFile, await goodText('U9200001'));
    const badFile = file('second-bad.xml');
    fs.writeFileSync(badFile, (await goodText('U9200002')).replace('</FlexStatements>', ''));
    const two = await runCli(['flex', 'import', okFile, badFile], { env });
    t.equal(two.code, 2);
    t.match(two.stdout, /base-U9200001\.xml: Activity statement/);
    t.match(two.stdout, /^ {2}U9200001 +Trades +3 +0 +0$/m);
    t.match(two.stderr, /second-bad\.xml: .*FLEX_MALFORMED/);
    t.same(await streamsLike('flex:U92%'), ['flex:U9200001'], 'the first file stays, nothing of the second');
    const none = await runCli(['flex', 'import'], { env });
    t.equal(none.code, 2);
    t.match(none.stderr, /flex import needs at least one FILE/);
    const badFormat = await runCli(['flex', 'import', okFile, '--date-format', 'yyyy/MM/dd'], { env });
    t.equal(badFormat.code, 2);
    t.match(badFormat.stderr, /--date-format must be MM\/dd\/yyyy or dd\/MM\/yyyy/);
});
// ---------------------------------------------------------------------------------------
// 9. The chain.
t.test('the hash chain verifies after all these imports', async (t) => {
    t.same(await sql `select * from ledger.chain_problems()`, []);
    const v = await runCli(['verify', '--json'], { env });
    t.equal(v.code, 0, v.stderr);
    const rep = JSON.parse(v.stdout);
    t.equal(rep.ok, true);
    const flex = await streamsLike('flex:%');
    t.equal(flex.length, 10, 'ten accounts imported');
    t.same(rep.streams.filter((s) => s.stream.startsWith('flex:')).map((s) => [s.stream, s.ok]), flex.map((s) => [s, true]), 'every flex stream checked, intact');
});
