// Flex dates and times read the same in every format IB's Flex queries offer: the same two
// fills (one in January, New York on standard time, one in March, on daylight time) written
// in each date format, time format and separator, with a zone suffix, and as old
// tradeDate + tradeTime rows, give identical flex_trades rows, at the right instants.
// MM/dd against dd/MM is decided from the whole file or refused (FLEX_DATE_AMBIGUOUS,
// nothing written) unless --date-format says. Method: statements written with
// agent/flex/write.ts, one account per variant, imported into a fresh migrated database,
// read back from ledger.flex_trades, flex_cash_transactions and flex_statements.
import path from 'node:path';
import t from 'tap';
import { FlexDates } from "../agent/flex/dates.js";
import { importFlexFile } from "../agent/flex/import.js";
import { newYorkWallClock, tradeRow } from "../agent/flex/write.js";
import { runCli, testDb } from "./helpers/db.js";
import { ny, plain, tempDir, writeFlexFile } from "./helpers/flex-statements.js";
const { url, sql } = await testDb(t);
const env = { DATABASE_URL: url };
const dir = tempDir(t, 'blotter-flex-formats-');
const file = (name) => path.join(dir, name);
const DATE_FORMATS = ['yyyyMMdd', 'yyyy-MM-dd', 'MM/dd/yyyy', 'MM/dd/yy', 'dd/MM/yyyy', 'dd/MM/yy', 'dd-MMM-yy'];
const TIME_FORMATS = ['HHmmss', 'HH:mm:ss'];
const SEPARATORS = [';', ',', ' ', ''];
// January: New York is UTC-5; March 12: UTC-4 (daylight time began on March 9, 2025).
const JAN = ny('2025-01-15', '10:00:00');
const MAR = ny('2025-03-12', '15:59:59');
const fills = (account) => [
    { account, execId: '0000ee00.1.01.01', transactionId: '71001', tradeId: '72001', orderId: '73001', conId: '756733', symbol: 'SPY', side: 'BUY', quantity: '10',
        price: '561.27', commission: '1', time: JAN },
    { account, execId: '0000ee00.2.01.01', transactionId: '71002', tradeId: '72002', orderId: '73002', conId: '756733', symbol: 'SPY', side: 'SELL', quantity: '10',
        price: '565.5', commission: '1', time: MAR, openClose: 'C' },
];
const variants = [];
for (const date of DATE_FORMATS)
    for (const time of TIME_FORMATS)
        for (const separator of SEPARATORS) {
            variants.push({ name: `${date} ${time} sep "${separator}"`, format: { date, time, separator } });
        }
// a zone suffix, as some exports write it
variants.push({ name: 'yyyy-MM-dd;HH:mm:ss with zone', format: { date: 'yyyy-MM-dd', time: 'HH:mm:ss', separator: ';' }, row: (w, f, r) => {
        const zone = f.time === JAN ? 'EST' : 'EDT';
        return { ...r, dateTime: `${w.dt(f.time)} ${zone}`, orderTime: `${w.dt(f.time)} ${zone}` };
    } });
// older queries: tradeDate + tradeTime, no dateTime
DATE_FORMATS.forEach((date, i) => {
    variants.push({ name: `${date} tradeDate + tradeTime`, format: { date, time: i % 2 ? 'HH:mm:ss' : 'HHmmss', separator: ';' }, row: (w, f, r) => {
            const { dateTime: _, ...rest } = r;
            const t = newYorkWallClock(f.time).time;
            return { ...rest, tradeTime: i % 2 ? t : t.replaceAll(':', '') };
        } });
});
const accountOf = (i) => `UF${String(i).padStart(4, '0')}`;
async function variantFile(v, i) {
    const account = accountOf(i);
    return writeFlexFile(file(`${account}.xml`), { format: v.format, statements: [{
                account, fromDate: '2025-01-15', toDate: '2025-03-12', whenGenerated: ny('2025-03-13', '06:00:00'),
                parts: (w) => [
                    { section: 'Trades', rows: fills(account).map((f) => ['Trade', (v.row ?? ((_w, _f, r) => r))(w, f, tradeRow(w, f))]) },
                    { section: 'CashTransactions', rows: [['CashTransaction', { accountId: account, currency: 'USD', fxRateToBase: '1', type: 'Deposits/Withdrawals', amount: '5000',
                                    transactionID: '74001', dateTime: w.d('2025-01-15'), reportDate: w.d('2025-01-15'), settleDate: w.d('2025-01-16'), levelOfDetail: 'DETAIL' }]] },
                ],
            }] });
}
t.test('every date format, time format and separator: the same rows at the same instants', async (t) => {
    for (const [i, v] of variants.entries()) {
        const f = await variantFile(v, i);
        const r = await importFlexFile(sql, f).catch((e) => e);
        if (r instanceof Error) {
            t.fail(`${v.name}: ${r.message}`);
            continue;
        }
        t.same([r.new, r.skipped], [3, 0], `${v.name}: imported`);
    }
    const rows = await sql `select * from ledger.flex_trades where account like 'UF%' order by account, transaction_id`;
    const byAccount = new Map();
    for (const x of rows) {
        const { seq: _s, recorded_at: _r, account, payload: _p, ...rest } = plain(x, ['trade_date', 'settle_date', 'report_date']);
        byAccount.set(account, [...(byAccount.get(account) ?? []), rest]);
    }
    const base = byAccount.get(accountOf(0));
    t.same(base?.map((x) => [x.trade_time, x.order_time, x.trade_date, x.settle_date, x.report_date]), [
        ['2025-01-15T15:00:00.000Z', '2025-01-15T15:00:00.000Z', '2025-01-15', '2025-01-16', '2025-01-15'],
        ['2025-03-12T19:59:59.000Z', '2025-03-12T19:59:59.000Z', '2025-03-12', '2025-03-13', '2025-03-12'],
    ], 'yyyyMMdd;HHmmss: New York wall clock, standard time in January, daylight time in March');
    variants.forEach((v, i) => t.same(byAccount.get(accountOf(i)), base, `${v.name}: identical flex_trades rows`));
    const cash = await sql `select account, date::text, report_date::text, settle_date::text, time from ledger.flex_cash_transactions where account like 'UF%'`;
    t.equal(cash.length, variants.length);
    t.same([...new Set(cash.map((x) => `${x.date} ${x.report_date} ${x.settle_date} ${x.time}`))], ['2025-01-15 2025-01-15 2025-01-16 null'], 'date-only values in every format');
    const st = await sql `select distinct from_date::text, to_date::text, when_generated from ledger.flex_statements where account like 'UF%'`;
    t.same(st.map((x) => plain(x)), [{ from_date: '2025-01-15', to_date: '2025-03-12', when_generated: '2025-03-13T10:00:00.000Z' }], 'the statement dates, the same in every format');
});
t.test('a zone suffix is read, not ignored; an unknown one refused', async (t) => {
    const d = new FlexDates(null);
    t.equal(d.read('2025-04-25;10:19:55 EDT'), '2025-04-25T14:19:55Z');
    t.equal(d.read('2025-04-25;10:19:55 EST'), '2025-04-25T15:19:55Z');
    t.equal(d.read('2025-04-25;10:19:55'), '2025-04-25T14:19:55Z', 'no zone: New York');
    t.equal(d.read('2025-04-25;10:19:55 XYZ'), false);
    t.equal(d.read('MULTI'), null, 'MULTI (aggregated rows) is no date, and no error');
});
// A statement in a slash format whose dates all have both parts at most 12.
async function slashFile(name, account, format, times, extra = {}) {
    return writeFlexFile(file(name), { format: { date: format, time: 'HHmmss', separator: ';' }, statements: [{
                account, fromDate: '2025-03-04', toDate: '2025-03-04', whenGenerated: ny('2025-03-05', '06:00:00'),
                parts: (w) => [{ section: 'Trades', rows: times.map((time, i) => ['Trade', tradeRow(w, {
                                account, execId: `0000ff00.${i}.01.01`, transactionId: String(81000 + i), tradeId: String(82000 + i), orderId: '83000', conId: '756733', symbol: 'SPY',
                                side: 'BUY', quantity: '1', price: '580', commission: '1', time,
                            }, extra)]) }],
            }] });
}
const streams = async (account) => (await sql `select stream from ledger.streams where stream = ${'flex:' + account}`).length;
t.test('MM/dd or dd/MM: decided by the file, else refused unless --date-format says', async (t) => {
    const amb = await slashFile('ambiguous.xml', 'UA00001', 'MM/dd/yyyy', [ny('2025-03-04', '10:00:00')]);
    const before = (await sql `select count(*)::int as n from ledger.events`)[0].n;
    const err = await importFlexFile(sql, amb).then(() => null, (e) => e);
    t.equal(err?.code, 'FLEX_DATE_AMBIGUOUS');
    t.match(err?.message, /ambiguous\.xml: dates like 03\/04\/2025 read as MM\/dd or dd\/MM/);
    t.match(err?.message, /--date-format/);
    const cli = await runCli(['flex', 'import', amb], { env });
    t.equal(cli.code, 2);
    t.match(cli.stderr, /--date-format MM\/dd\/yyyy or dd\/MM\/yyyy.*\[FLEX_DATE_AMBIGUOUS\]/);
    t.equal((await sql `select count(*)::int as n from ledger.events`)[0].n, before, 'nothing written');
    t.equal(await streams('UA00001'), 0);
    const told = await runCli(['flex', 'import', amb, '--date-format', 'MM/dd/yyyy'], { env });
    t.equal(told.code, 0, told.stderr);
    t.match(told.stdout, /UA00001 {2}2025-03-04,/);
    t.same((await sql `select trade_date::text, trade_time from ledger.flex_trades where account = 'UA00001'`).map((x) => plain(x)), [{ trade_date: '2025-03-04', trade_time: '2025-03-04T15:00:00.000Z' }], 'March 4 (standard time), not April 3');
    // a first part over 12 somewhere in the file says dd/MM for all of it
    await importFlexFile(sql, await slashFile('dmy.xml', 'UA00002', 'dd/MM/yyyy', [ny('2025-03-04', '10:00:00'), ny('2025-03-13', '10:00:00')]));
    t.same((await sql `select trade_date::text as d from ledger.flex_trades where account = 'UA00002' order by 1`).map((x) => x.d), ['2025-03-04', '2025-03-13']);
    t.same((await sql `select from_date::text as d from ledger.flex_statements where account = 'UA00002'`).map((x) => x.d), ['2025-03-04']);
    // 01/13 and 13/01 in one file: neither order reads it all
    const both = await slashFile('both.xml', 'UA00003', 'MM/dd/yyyy', [ny('2025-01-13', '10:00:00')], { tradeDateOther: '13/01/2025' });
    const e2 = await importFlexFile(sql, both).then(() => null, (e) => e);
    t.equal(e2?.code, 'FLEX_DATE_AMBIGUOUS');
    t.match(e2?.message, /neither MM\/dd nor dd\/MM/);
    t.equal(await streams('UA00003'), 0);
});
t.test('two-digit years read the same whenever the file is imported: 00-68 this century, 69-99 the last', async (t) => {
    const d = new FlexDates('mdy');
    t.same([d.read('21-Jan-28'), d.read('01/15/28'), d.read('15-Jun-68'), d.read('15-Jun-69'), d.read('12/31/99')], ['2028-01-21', '2028-01-15', '2068-06-15', '1969-06-15', '1999-12-31'], 'a 2028 option expiry stays in 2028');
});
