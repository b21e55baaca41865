// Equity and performance: time-weighted daily returns (a deposit neither gains nor loses),
// and each metric of reports.monthly_performance against the formula written here,
// computed from the same returns (quantstats conventions); the risk-free rate from
// reports.settings; any date range through reports.performance(); an empty month has no row.
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { ACCOUNT, put, refreshReports } from "./helpers/recon.js";
const ny = (day) => new Date(`${day}T16:30:00-05:00`).toISOString();
const snapshot = (day, nav) => ({ type: 'account_snapshot', at: ny(day), payload: { base_currency: 'USD', net_liquidation: nav, cash: [] } });
const deposit = (day, amount) => ({ type: 'cash_flow', at: ny(day), payload: { kind: amount.startsWith('-') ? 'withdrawal' : 'deposit', currency: 'USD', amount, value_date: day } });
// January: five days with a deposit on the third and a withdrawal on the fifth; March: two.
const NAV = [
    ['2026-01-05', 1000, 0], ['2026-01-06', 1010, 0], ['2026-01-07', 1030, 20], ['2026-01-08', 1000, 0], ['2026-01-09', 975, -50],
    ['2026-01-12', 990, 0], ['2026-03-02', 1000, 0], ['2026-03-03', 980, 0],
];
function returns(rows) {
    return rows.slice(1).map(([, nav, flow], i) => (nav - flow) / rows[i][1] - 1);
}
const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x) => Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));
const close = (t, got, want, what) => t.ok(Math.abs(Number(got) - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: ${got} ~ ${want}`);
t.test('time-weighted returns and the monthly figures, as the formulas say', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, NAV.flatMap(([day, nav, flow]) => [snapshot(day, String(nav)), ...(flow ? [deposit(day, String(flow))] : [])]));
    await refreshReports(sql);
    const eq = await sql `select trade_date::text, nav::text, nav_source, flows::text, daily_return, drawdown from reports.equity_daily where account = ${ACCOUNT} order by trade_date`;
    t.same(eq.map((r) => [r.trade_date, r.nav, r.nav_source, r.flows]), NAV.map(([d, n, f]) => [d, String(n), 'bot', String(f)]));
    t.equal(eq[0].daily_return, null, 'no return on the first day');
    const r = returns(NAV);
    r.forEach((x, i) => close(t, eq[i + 1].daily_return, x, `return of ${NAV[i + 1][0]}`));
    close(t, eq[2].daily_return, 0, 'the day of the deposit: (1030 - 20) / 1010 - 1 = 0');
    const jan = r.slice(0, 5); // the five January returns (the first day has none)
    const [m] = await sql `select * from reports.monthly_performance where account = ${ACCOUNT} and period_start = '2026-01-01'`;
    const total = jan.reduce((a, x) => a * (1 + x), 1) - 1;
    close(t, m.period_return, total, 'return: product of (1 + r) - 1');
    t.equal(m.days, 5);
    close(t, m.volatility, sd(jan) * Math.sqrt(252), 'volatility');
    close(t, m.sharpe, (mean(jan) / sd(jan)) * Math.sqrt(252), 'sharpe (rf 0)');
    close(t, m.sortino, (mean(jan) / Math.sqrt(jan.filter((x) => x < 0).reduce((a, x) => a + x * x, 0) / jan.length)) * Math.sqrt(252), 'sortino');
    close(t, m.cagr, (1 + total) ** (252 / jan.length) - 1, 'cagr');
    // drawdown on the month's own path, from its opening equity
    let idx = 1, high = 1, worst = 0;
    for (const x of jan) {
        idx *= 1 + x;
        high = Math.max(high, idx);
        worst = Math.min(worst, idx / high - 1);
    }
    close(t, m.max_drawdown, worst, 'max drawdown');
    t.same([m.max_drawdown_peak.toISOString().slice(0, 10), m.max_drawdown_trough.toISOString().slice(0, 10)], ['2026-01-07', '2026-01-08']);
    close(t, m.calmar, ((1 + total) ** (252 / jan.length) - 1) / Math.abs(worst), 'calmar');
    close(t, m.best_day, Math.max(...jan), 'best day');
    close(t, m.worst_day, Math.min(...jan), 'worst day');
    close(t, m.win_rate, jan.filter((x) => x > 0).length / jan.filter((x) => x !== 0).length, 'win rate: the deposit day (0) not counted');
    close(t, m.profit_factor, jan.filter((x) => x >= 0).reduce((a, b) => a + b, 0) / Math.abs(jan.filter((x) => x < 0).reduce((a, b) => a + b, 0)), 'profit factor');
    close(t, m.payoff, mean(jan.filter((x) => x > 0)) / Math.abs(mean(jan.filter((x) => x < 0))), 'payoff');
    const months = await sql `select period_start::text from reports.monthly_performance where account = ${ACCOUNT} order by 1`;
    t.same(months.map((x) => x.period_start), ['2026-01-01', '2026-03-01'], 'February, without equity, has no row');
    const [mar] = await sql `select period_return, days from reports.monthly_performance where account = ${ACCOUNT} and period_start = '2026-03-01'`;
    close(t, mar.period_return, r.slice(5).reduce((a, x) => a * (1 + x), 1) - 1, 'March chains from the last January close');
    // The risk-free rate, converted per day.
    await sql `update reports.settings set value = 0.05 where key = 'risk_free_rate'`;
    await refreshReports(sql);
    const [m2] = await sql `select sharpe from reports.monthly_performance where account = ${ACCOUNT} and period_start = '2026-01-01'`;
    const rf = 1.05 ** (1 / 252) - 1;
    close(t, m2.sharpe, (mean(jan.map((x) => x - rf)) / sd(jan)) * Math.sqrt(252), 'sharpe with rf 5 %');
    await sql `update reports.settings set value = 0 where key = 'risk_free_rate'`;
    // Any date range: the return of 6 to 9 January.
    const [range] = await sql `select period_return, days from reports.performance('2026-01-06', '2026-01-09', ${ACCOUNT})`;
    t.equal(range.days, 4);
    close(t, range.period_return, r.slice(0, 4).reduce((a, x) => a * (1 + x), 1) - 1, 'range return');
    const [year] = await sql `select days, period_return from reports.yearly_performance where account = ${ACCOUNT}`;
    t.equal(year.days, 7);
    close(t, year.period_return, r.reduce((a, x) => a * (1 + x), 1) - 1, 'the year');
});
t.test('the statement\'s NAV wins over the live one, which wins over the bot\'s', async (t) => {
    const { sql } = await testDb(t);
    await put(sql, [
        snapshot('2026-01-05', '1000'),
        { type: 'ib_account_summary', source: 'ib', at: ny('2026-01-05'), entity: ACCOUNT, payload: { tag: 'NetLiquidation', value: '1001', currency: 'USD' } },
        snapshot('2026-01-06', '1100'),
        { type: 'ib_account_summary', source: 'ib', at: ny('2026-01-06'), entity: ACCOUNT, payload: { tag: 'NetLiquidation', value: '1101', currency: 'USD' } },
        { type: 'flex_nav', source: 'flex', stream: `flex:${ACCOUNT}`, at: ny('2026-01-06'), entity: '2026-01-06', key: 'nav:1',
            payload: { section: 'EquitySummaryInBase', dates: { reportDate: '2026-01-06' }, raw: { total: '1102.5', currency: 'USD' } } },
    ]);
    await refreshReports(sql);
    const eq = await sql `select trade_date::text, nav::text, nav_source from reports.equity_daily where account = ${ACCOUNT} order by 1`;
    t.same(eq, [{ trade_date: '2026-01-05', nav: '1001', nav_source: 'live' }, { trade_date: '2026-01-06', nav: '1102.5', nav_source: 'statement' }]);
});
