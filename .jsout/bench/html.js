// npm run bench -- html [--days N] [--trades N] [--runs N] [--json]: a monthly HTML report
// with its five charts (22 trading days, 300 round trips by default), rendered as
// `blotter report monthly --format html` does: once in a fresh process, so the first render
// pays for loading vega and warming it (html_ms, the figure a person waits for; target
// <= 1,000 ms, issue 11), then again to see the steady cost (html_ms_warm, median).
// Baseline in the same run: the same document without charts (tables_only_ms), so the
// charts' share is visible. Includes the import of the renderer (vega, vega-lite).
import { parseArgs } from 'node:util';
import { monthlyDocument } from "../test/helpers/report-doc.js";
const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const round = (ms) => Math.round(ms * 10) / 10;
export async function run(args) {
    const { values } = parseArgs({ args, options: { days: { type: 'string' }, trades: { type: 'string' }, runs: { type: 'string' } }, strict: false });
    const days = Number(values.days ?? 22);
    const trades = Number(values.trades ?? 300);
    const runs = Math.max(1, Number(values.runs ?? 5));
    const doc = () => monthlyDocument({ days, trades, asyncTrades: true });
    const t0 = process.hrtime.bigint();
    const { renderHtml } = await import("../agent/report/html.js");
    const importMs = since(t0);
    const t1 = process.hrtime.bigint();
    const html = await renderHtml(doc());
    const firstMs = since(t1);
    const warm = [];
    for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        await renderHtml(doc());
        warm.push(since(t));
    }
    warm.sort((a, b) => a - b);
    const tablesOnly = [];
    for (let i = 0; i < runs; i++) {
        const d = { ...doc(), charts: [] };
        const t = process.hrtime.bigint();
        await renderHtml(d);
        tablesOnly.push(since(t));
    }
    tablesOnly.sort((a, b) => a - b);
    const median = (xs) => xs[Math.floor(xs.length / 2)];
    return {
        case: 'html',
        days, trades, charts: 5,
        html_ms: round(importMs + firstMs),
        html_import_ms: round(importMs),
        html_first_render_ms: round(firstMs),
        html_ms_warm: round(median(warm)),
        tables_only_ms: round(median(tablesOnly)),
        charts_ratio: round(median(warm) / Math.max(0.1, median(tablesOnly))),
        html_bytes: Buffer.byteLength(html),
        target_html_ms: 1000,
    };
}
