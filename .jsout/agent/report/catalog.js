import { BlotterError } from "../errors.js";
import { copyCsv } from "./csv-copy.js";
import { bulkOf, columnsOf, sql, streamRows } from "./read.js";
const money = { format: 'money' };
const pct = { format: 'percent' };
const bps = { format: 'bps' };
const ratio = { format: 'ratio' };
const qty = { format: 'quantity' };
const price = { format: 'price' };
const acct = (a) => (a === undefined ? sql.fragment `true` : sql.fragment `account = ${a}`);
const ibStreams = (a) => (a ? [`ib:${a}`, `flex:${a}`, 'bot', 'recon'] : ['ib:*', 'flex:*', 'bot', 'recon']);
const SUMMARY_COLUMNS = {
    trade_date: { label: 'Date' }, total_trades: { label: 'Round trips' }, fills: { label: 'Fills' }, total_volume: { label: 'Volume', ...qty },
    notional: { label: 'Notional', ...money }, gross_pnl: { label: 'Gross P&L', ...money }, net_pnl: { label: 'Net P&L', ...money },
    commission: { label: 'Commissions', ...money }, win_rate: { label: 'Win rate', ...pct }, avg_win: { label: 'Avg win', ...money },
    avg_loss: { label: 'Avg loss', ...money }, largest_win: { label: 'Largest win', ...money }, largest_loss: { label: 'Largest loss', ...money },
    sharpe_ratio: { label: 'Sharpe (63d, P&L)', ...ratio }, mtm_pnl: { label: 'MTM P&L', ...money }, day_return: { label: 'Return', ...pct },
};
const TRADE_COLUMNS = {
    quantity: qty, entry_price: price, exit_price: price, gross_pnl: { label: 'Gross P&L', ...money }, commission: money,
    net_pnl: { label: 'Net P&L', ...money }, net_pnl_base: { label: 'Net P&L (base)', ...money }, multiplier: qty, fx_rate_to_base: ratio,
};
const PERF_COLUMNS = {
    period_return: { label: 'Return', ...pct }, volatility: pct, sharpe: ratio, sortino: ratio, max_drawdown: { label: 'Max drawdown', ...pct },
    cagr: { label: 'CAGR', ...pct }, calmar: ratio, best_day: pct, worst_day: pct, win_rate: pct, profit_factor: ratio, payoff: ratio,
    trade_win_rate: pct, expectancy: money, turnover: ratio, commissions: money,
};
const TAX_COLUMNS = { proceeds: money, cost_basis: money, gain: money, wash_sale_disallowed: money, adjustment: money, quantity: qty };
const EXEC_COLUMNS = {
    quantity: qty, filled: qty, fill_rate: pct, avg_fill_price: price, decision_price: price, arrival_price: price,
    slippage_arrival_bps: bps, slippage_decision_bps: bps, execution_cost: money, delay_cost: money, opportunity_cost: money, fees: money, shortfall: money,
};
// Headline figures of a range for one account (or all): sums of the daily summary, the
// period's time-weighted return and drawdown (reports.performance) when there is equity.
async function rangeHeadlines(ctx) {
    const { pool, p, from, to } = ctx;
    const s = await pool.one(sql.unsafe `
    select count(*)::int as days, coalesce(sum(fills), 0)::int as fills, coalesce(sum(total_trades), 0)::int as trades,
           coalesce(sum(wins), 0)::int as wins, coalesce(sum(gross_pnl), 0) as gross, coalesce(sum(net_pnl), 0) as net,
           coalesce(sum(commission), 0) as commission, sum(mtm_pnl) as mtm
      from reports.daily_summary where trade_date between ${from}::date and ${to}::date and ${acct(p.account)}`);
    const h = [
        { label: 'Net realized P&L', value: String(s.net), format: 'money', note: `gross ${s.gross}, commissions ${s.commission}` },
        { label: 'Round trips', value: String(s.trades), note: s.trades ? `${s.wins} won` : undefined },
        { label: 'Win rate', value: s.trades ? String(Number(s.wins) / Number(s.trades)) : '', format: 'percent' },
        { label: 'Commissions', value: String(s.commission), format: 'money' },
        { label: 'Fills', value: String(s.fills) },
    ];
    if (s.mtm !== null)
        h.push({ label: 'Mark-to-market P&L', value: String(s.mtm), format: 'money', note: 'NAV change less deposits and withdrawals' });
    if (p.account) {
        const perf = await pool.maybeOne(sql.unsafe `select period_return, max_drawdown, sharpe from reports.performance(${from}::date, ${to}::date, ${p.account})`);
        if (perf && perf.period_return !== null) {
            h.push({ label: 'Return (time-weighted)', value: String(perf.period_return), format: 'percent' });
            if (perf.max_drawdown !== null)
                h.push({ label: 'Max drawdown', value: String(perf.max_drawdown), format: 'percent' });
        }
    }
    return h;
}
function points(rows, key) {
    return rows.filter((r) => r[key] !== null).map((r) => ({ date: String(r.trade_date), value: String(r[key]) }));
}
// Charts need one account: equity, drawdown and daily P&L over the range (at least the last
// three months of it, for context), the monthly returns of the years it touches, and the
// slippage of its orders.
async function charts(ctx, o) {
    const { pool, p, from, to } = ctx;
    if (!p.account)
        return [];
    const since = (await pool.oneFirst(sql.unsafe `select least(${from}::date, ${to}::date - 91)::text as d`));
    const eq = await pool.any(sql.unsafe `select trade_date, equity_index, drawdown from reports.equity_daily
                                        where account = ${p.account} and trade_date between ${since}::date and ${to}::date order by trade_date`);
    const pnl = await pool.any(sql.unsafe `select trade_date, net_pnl, mtm_pnl from reports.daily_summary
                                         where account = ${p.account} and trade_date between ${since}::date and ${to}::date order by trade_date`);
    const months = await pool.any(sql.unsafe `select extract(year from period_start)::int as y, extract(month from period_start)::int as m, period_return
                                             from reports.monthly_performance where account = ${p.account}
                                              and period_start between date_trunc('year', ${from}::date) and ${to}::date order by 1, 2`);
    const before = eq.some((r) => String(r.trade_date) < from) || pnl.some((r) => String(r.trade_date) < from);
    const span = before ? ' (with the three months before, for context)' : '';
    const out = [
        { kind: 'equity', title: `Equity index${span}`, points: points(eq, 'equity_index') },
        { kind: 'drawdown', title: `Drawdown${span}`, points: points(eq, 'drawdown') },
        { kind: 'daily_pnl', title: `Daily net realized P&L${span}`, points: points(pnl, 'net_pnl') },
        { kind: 'monthly_returns', title: 'Monthly returns', cells: months.filter((m) => m.period_return !== null).map((m) => ({ year: Number(m.y), month: Number(m.m), value: String(m.period_return) })) },
    ];
    if (o.slippage) {
        const sl = await pool.anyFirst(sql.unsafe `select slippage_arrival_bps::text from reports.execution_quality
                                               where account = ${p.account} and trade_date between ${from}::date and ${to}::date and slippage_arrival_bps is not null`);
        out.push({ kind: 'histogram', title: 'Slippage against arrival (bps, positive is a cost)', values: sl, unit: 'bps' });
    }
    return out;
}
export const CATALOG = [
    {
        name: 'daily', title: 'Daily report', description: 'Per day: fills, round trips, P&L, commissions, win rate; the round trips; charts',
        params: ['from', 'to', 'account'], reads: ['daily_summary', 'trades', 'equity_daily', 'monthly_performance', 'execution_quality'], streams: ibStreams,
        build: async (ctx) => ({
            headlines: await rangeHeadlines(ctx),
            charts: await charts(ctx, { slippage: true }),
            tables: [
                { name: 'daily_summary', title: 'Daily summary', query: sql.unsafe `select * from reports.daily_summary where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, trade_date`, columns: SUMMARY_COLUMNS },
                { name: 'trades', title: 'Round trips closed', query: sql.unsafe `select * from reports.trades where close_trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, close_time, close_exec_id`, columns: TRADE_COLUMNS },
            ],
        }),
    },
    {
        name: 'fills', title: 'Fills', description: 'Every broker fill (IB live, else the statement\'s), with commission, venue and strategy',
        params: ['from', 'to', 'account'], reads: ['fills'], streams: ibStreams,
        build: async (ctx) => ({
            headlines: [], charts: [],
            tables: [{ name: 'fills', title: 'Fills', query: sql.unsafe `select * from reports.fills where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, fill_time, exec_id`, columns: { quantity: qty, signed_quantity: qty, price, commission: money, multiplier: qty, fx_rate_to_base: ratio } }],
        }),
    },
    {
        name: 'monthly', title: 'Monthly performance', description: 'Per month: time-weighted return, volatility, Sharpe, Sortino, drawdown, trade figures; the year',
        params: ['year', 'from', 'to', 'account'], reads: ['monthly_performance', 'yearly_performance', 'equity_daily', 'daily_summary', 'trades'], streams: ibStreams,
        build: async (ctx) => ({
            headlines: await rangeHeadlines(ctx),
            charts: await charts(ctx, { slippage: false }),
            tables: [
                { name: 'monthly_performance', title: 'Months', query: sql.unsafe `select * from reports.monthly_performance where period_start between date_trunc('month', ${ctx.from}::date) and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, period_start`, columns: PERF_COLUMNS },
                { name: 'period', title: 'The whole period', query: sql.unsafe `select * from reports.performance(${ctx.from}::date, ${ctx.to}::date, ${ctx.p.account ?? null}::text) order by account`, columns: PERF_COLUMNS },
                { name: 'days', title: 'Days', query: sql.unsafe `select * from reports.daily_summary where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, trade_date`, columns: SUMMARY_COLUMNS },
            ],
        }),
    },
    {
        name: 'execution', title: 'Execution quality', description: 'Per order: slippage against arrival and decision, implementation shortfall, fill rate, timing',
        params: ['from', 'to', 'account'], reads: ['execution_quality'], streams: ibStreams,
        build: async (ctx) => {
            const s = await ctx.pool.one(sql.unsafe `
        select count(*)::int as orders, sum(filled * slippage_arrival_bps) / nullif(sum(filled) filter (where slippage_arrival_bps is not null), 0) as slip,
               coalesce(sum(shortfall), 0) as shortfall, sum(filled) / nullif(sum(quantity), 0) as fill_rate
          from reports.execution_quality where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)}`);
            const sl = ctx.p.account ? await ctx.pool.anyFirst(sql.unsafe `select slippage_arrival_bps::text from reports.execution_quality
          where account = ${ctx.p.account} and trade_date between ${ctx.from}::date and ${ctx.to}::date and slippage_arrival_bps is not null`) : [];
            return {
                headlines: [
                    { label: 'Orders', value: String(s.orders) },
                    { label: 'Slippage vs arrival (fill-weighted)', value: s.slip === null ? '' : String(s.slip), format: 'bps' },
                    { label: 'Implementation shortfall', value: String(s.shortfall), format: 'money' },
                    { label: 'Fill rate', value: s.fill_rate === null ? '' : String(s.fill_rate), format: 'percent' },
                ],
                charts: ctx.p.account ? [{ kind: 'histogram', title: 'Slippage against arrival (bps, positive is a cost)', values: sl, unit: 'bps' }] : [],
                tables: [
                    { name: 'orders', title: 'Orders', query: sql.unsafe `select * from reports.execution_quality where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, submitted_at, client_order_id`, columns: EXEC_COLUMNS },
                    { name: 'by_day', title: 'By day, strategy, symbol, order type and venue', query: sql.unsafe `select * from reports.execution_quality_daily where trade_date between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, trade_date, strategy, symbol, order_type, venue`, columns: EXEC_COLUMNS },
                ],
            };
        },
    },
    {
        name: 'reconciliation', title: 'Reconciliation', description: 'Runs and breaks per day, category and severity, with ageing and time to resolve',
        params: ['from', 'to', 'account'], reads: [], streams: (a) => ['recon', ...(a ? [`ib:${a}`] : ['ib:*']), 'bot'],
        build: async (ctx) => {
            const s = await ctx.pool.one(sql.unsafe `select coalesce(sum(runs), 0)::int as runs, coalesce(sum(opened), 0)::int as opened, coalesce(sum(resolved + cleared), 0)::int as closed
                                                from reports.reconciliation where day between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)}`);
            const open = await ctx.pool.oneFirst(sql.unsafe `select coalesce(sum(open_now), 0)::int from (select distinct account, category, severity, open_now from reports.reconciliation where ${acct(ctx.p.account)}) x`);
            return {
                headlines: [{ label: 'Breaks opened', value: String(s.opened) }, { label: 'Cleared or resolved', value: String(s.closed) }, { label: 'Open now', value: String(open) }],
                charts: [],
                tables: [{ name: 'reconciliation', title: 'Per day, category and severity', query: sql.unsafe `select * from reports.reconciliation where day between ${ctx.from}::date and ${ctx.to}::date and ${acct(ctx.p.account)} order by account, day, category, severity` }],
            };
        },
    },
    {
        name: 'tax', title: 'Tax lots, realized gains and Form 8949', description: 'Realized gains per lot sale (wash sales applied), Form 8949 rows, Section 1256, open lots',
        params: ['year', 'account'], reads: [], streams: ibStreams,
        build: async (ctx) => {
            const y = Number(ctx.from.slice(0, 4));
            return {
                headlines: [], charts: [],
                tables: [
                    { name: 'realized_gains', title: `Realized gains ${y}`, query: sql.unsafe `select * from reports.realized_gains where tax_year = ${y} and ${acct(ctx.p.account)} order by account, date_sold, symbol`, columns: TAX_COLUMNS },
                    { name: 'form_8949', title: `Form 8949 ${y}`, query: sql.unsafe `select * from reports.form_8949 where tax_year = ${y} and ${acct(ctx.p.account)} order by account, part, date_sold, description`, columns: TAX_COLUMNS },
                    { name: 'section_1256', title: `Section 1256 contracts ${y}`, query: sql.unsafe `select * from reports.section_1256 where tax_year = ${y} and ${acct(ctx.p.account)} order by account` },
                    { name: 'tax_lots', title: `Lots held at the end of ${y}`, query: sql.unsafe `select * from reports.tax_lots where ${acct(ctx.p.account)} and acquired_date <= ${ctx.to}::date and (close_date is null or close_date > ${ctx.to}::date) order by account, symbol, lot_id, part` },
                ],
            };
        },
    },
    {
        name: 'order-trail', title: 'Order trail', description: 'Every event about one order, in ledger order, with stream, stream_seq and hash',
        params: ['order', 'account'], required: ['order'], reads: [], streams: ibStreams,
        build: async (ctx) => ({
            headlines: [], charts: [],
            tables: [{ name: 'order_trail', title: `Order ${ctx.p.order}`, query: sql.unsafe `select * from reports.order_trail where order_key = ${ctx.p.order} and ${acct(ctx.p.account)} order by seq` }],
        }),
    },
    {
        name: 'config-changes', title: 'Configuration changes', description: 'Every configuration change, who made it and when, with its place in the chain',
        params: ['from', 'to', 'account'], reads: [], streams: () => ['bot'],
        build: async (ctx) => ({
            headlines: [], charts: [],
            tables: [{ name: 'config_changes', title: 'Configuration changes', query: sql.unsafe `select * from reports.config_changes where (occurred_at at time zone 'America/New_York')::date between ${ctx.from}::date and ${ctx.to}::date and (${ctx.p.account ?? null}::text is null or account = ${ctx.p.account ?? null}::text) order by seq` }],
        }),
    },
    {
        name: 'user-actions', title: 'User actions', description: 'Every action a person took (reviews, overrides), who and when, with its place in the chain',
        params: ['from', 'to', 'account'], reads: [], streams: () => ['bot', 'recon'],
        build: async (ctx) => ({
            headlines: [], charts: [],
            tables: [{ name: 'user_actions', title: 'User actions', query: sql.unsafe `select * from reports.user_actions where (occurred_at at time zone 'America/New_York')::date between ${ctx.from}::date and ${ctx.to}::date and (${ctx.p.account ?? null}::text is null or account = ${ctx.p.account ?? null}::text) order by seq` }],
        }),
    },
    {
        name: 'chain-status', title: 'Chain status', description: 'Each stream\'s last verification of its hash chain and its result',
        params: [], reads: [], streams: () => [],
        build: async () => ({ headlines: [], charts: [], tables: [{ name: 'chain_status', title: 'Chain status', query: sql.unsafe `select * from reports.chain_status order by stream` }] }),
    },
    {
        name: 'retention', title: 'Retention status', description: 'Per family of records: the oldest, the retention, what is past it',
        params: [], reads: [], streams: () => [],
        build: async () => ({ headlines: [], charts: [], tables: [{ name: 'retention_status', title: 'Retention status', query: sql.unsafe `select * from reports.retention_status order by family` }] }),
    },
];
export function findReport(name) {
    return CATALOG.find((r) => r.name === name);
}
// A table spec's columns (with comments from the database) and its rows, streamed.
export async function openTable(pool, t, batch = 2000) {
    const probe = await pool.query(sql.unsafe `select * from (${t.query}) q limit 0`);
    const columns = columnsOf(probe.fields, t.columns);
    return {
        name: t.name, title: t.title, description: t.description, columns, rows: streamRows(pool, t.query, { batch }),
        copyCsv: (write, onRows) => copyCsv(bulkOf(pool), columns, t.query, write, onRows),
    };
}
export function requireParams(spec, p) {
    for (const k of spec.required ?? []) {
        if (p[k] === undefined)
            throw new BlotterError('REPORT_PARAM', `report ${spec.name} needs --${k}`);
    }
    for (const k of Object.keys(p)) {
        if (p[k] !== undefined && !spec.params.includes(k))
            throw new BlotterError('REPORT_PARAM', `report ${spec.name} takes no --${k} (it takes ${spec.params.map((x) => '--' + x).join(', ') || 'no parameters'})`);
    }
}
