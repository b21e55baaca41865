// npm run bench -- export [--fills N] [--json]: report files from a real database, as
// `blotter report` writes them. Generates N fills (default 1,000,000; the reports bench's
// generator), refreshes the reports they feed, then
//   csv   `blotter report fills --out FILE` over the whole history, a process of its own as
//         a user runs it (start-up included): csv_rows_per_s (target >= 200,000) and that
//         process's peak RSS (VmHWM; rss_mb, target <= 200: nothing holds the whole export);
//   html  `blotter report monthly --format html` for one account and a month, built from
//         the database (queries, headlines, five charts): html_ms (target <= 1,000).
// Baseline in the same run: COPY of the same rows to a file by the server's own CSV writer
// (copy_rows_per_s), the fastest any export could read them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from "./reports.js";
import { withBenchDatabase } from "./db.js";
import { ROOT } from "../test/helpers/db.js";
const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;
export async function run(args) {
    const { values } = parseArgs({ args, options: { fills: { type: 'string' } }, strict: false });
    const fills = Number(values.fills ?? 1_000_000);
    return withBenchDatabase('export', async (sql, url) => {
        await generate(sql, fills);
        await sql `select * from reports.refresh('bench', array['fills', 'equity_daily', 'trades', 'daily_summary', 'monthly_performance', 'yearly_performance', 'execution_quality'])`;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-bench-export-'));
        try {
            // baseline: the server's COPY, streamed to a file
            let t = process.hrtime.bigint();
            const copyFile = path.join(dir, 'copy.csv');
            const out = fs.createWriteStream(copyFile);
            const readable = await sql `copy (select * from reports.fills) to stdout with (format csv, header)`.readable();
            await new Promise((resolve, reject) => { readable.pipe(out); out.on('finish', resolve); readable.on('error', reject); });
            const copyMs = since(t);
            const { openReadPool } = await import("../agent/report/read.js");
            const { writeReport, buildCatalogReport } = await import("../agent/report/run.js");
            const pool = await openReadPool(url, { statementTimeoutMs: 3_600_000 });
            try {
                const csvFile = path.join(dir, 'fills.csv');
                t = process.hrtime.bigint();
                const child = spawn(process.execPath, [path.join(ROOT, 'agent', 'cli.ts'), 'report', 'fills', '--from', '2020-01-01', '--to', '2030-12-31', '--out', csvFile], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
                let stderr = '';
                child.stderr.on('data', (d) => { stderr += d; });
                let hwmKb = 0;
                const poll = setInterval(() => {
                    try {
                        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
                        if (m)
                            hwmKb = Math.max(hwmKb, Number(m[1]));
                    }
                    catch { /* exited */ }
                }, 20);
                const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1)));
                clearInterval(poll);
                const csvMs = since(t);
                if (code !== 0)
                    throw new Error(`blotter report fills failed (${code}): ${stderr}`);
                const rows = Number(/: (\d+) rows, (\d+) bytes/.exec(stderr)?.[1]);
                const bytes = Number(/: (\d+) rows, (\d+) bytes/.exec(stderr)?.[2]);
                if (rows !== fills)
                    throw new Error(`exported ${rows} rows, expected ${fills}: ${stderr}`);
                const rssMb = hwmKb / 1024;
                const r = { bytes };
                t = process.hrtime.bigint();
                const built = await buildCatalogReport(pool, 'monthly', { from: '2024-06-01', to: '2024-06-30', account: 'UB1' });
                const page = await writeReport(built.doc, { format: 'html', out: path.join(dir, 'monthly.html') });
                const htmlMs = since(t);
                return {
                    case: 'export', fills, csv_rows_per_s: Math.round(fills / (csvMs / 1000)), csv_mb: +(r.bytes / 1e6).toFixed(1),
                    copy_rows_per_s: Math.round(fills / (copyMs / 1000)), csv_vs_copy: +(csvMs / copyMs).toFixed(2),
                    rss_mb: Math.round(rssMb),
                    html_ms: Math.round(htmlMs), html_kb: Math.round(page.bytes / 1024), html_rows: page.rows,
                };
            }
            finally {
                await pool.end();
            }
        }
        finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
}
