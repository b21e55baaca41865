// npm run bench -- export [--fills N] [--json]: report files from a real database, as
// `blotter report` writes them. Generates N fills (default 1,000,000; the reports bench's
// generator), refreshes the reports they feed, then
//   csv   every row of reports.fills through the report read path (slonik cursor, batches)
//         and the CSV writer into a file: csv_rows_per_s (target >= 200,000) and the
//         process's peak RSS (rss_mb, target <= 200: nothing holds the whole export);
//   html  `blotter report monthly --format html` for one account and a month, built from
//         the database (queries, headlines, five charts): html_ms (target <= 1,000).
// Baseline in the same run: COPY of the same rows to a file by the server's own CSV writer
// (copy_rows_per_s), the fastest any export could read them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { keepYoungGenerationSmall } from '../agent/flex/import.ts';
import { generate } from './reports.ts';
import { withBenchDatabase } from './db.ts';

const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  keepYoungGenerationSmall(); // as `blotter report` does
  const { values } = parseArgs({ args, options: { fills: { type: 'string' } }, strict: false });
  const fills = Number(values.fills ?? 1_000_000);
  return withBenchDatabase('export', async (sql, url) => {
    await generate(sql, fills);
    await sql`select * from reports.refresh('bench', array['fills', 'equity_daily', 'trades', 'daily_summary', 'monthly_performance', 'yearly_performance', 'execution_quality'])`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-bench-export-'));
    try {
      // baseline: the server's COPY, streamed to a file
      let t = process.hrtime.bigint();
      const copyFile = path.join(dir, 'copy.csv');
      const out = fs.createWriteStream(copyFile);
      const readable = await sql`copy (select * from reports.fills) to stdout with (format csv, header)`.readable();
      await new Promise<void>((resolve, reject) => { readable.pipe(out); out.on('finish', resolve); readable.on('error', reject); });
      const copyMs = since(t);

      const { openReadPool, sql: q, streamRows, columnsOf } = await import('../agent/report/read.ts');
      const { writeReport, buildCatalogReport } = await import('../agent/report/run.ts');
      const pool = await openReadPool(url, { statementTimeoutMs: 3_600_000 });
      try {
        const rssBefore = process.memoryUsage().rss;
        t = process.hrtime.bigint();
        const probe = await pool.query(q.unsafe`select * from reports.fills limit 0`);
        const table = { name: 'fills', title: 'Fills', columns: columnsOf(probe.fields), rows: streamRows(pool, q.unsafe`select * from reports.fills`) };
        const meta = { report: 'bench', title: 'fills', parameters: {}, generatedAt: new Date().toISOString(), generator: 'bench', freshness: [], ledgerThroughSeq: null, chain: [] };
        const csvFile = path.join(dir, 'fills.csv');
        const r = await writeReport({ meta, headlines: [], charts: [], tables: [table] }, { format: 'csv', out: csvFile });
        const csvMs = since(t);
        if (r.rows !== fills) throw new Error(`exported ${r.rows} rows, expected ${fills}`);
        const rssMb = process.resourceUsage().maxRSS / 1024;

        t = process.hrtime.bigint();
        const built = await buildCatalogReport(pool, 'monthly', { from: '2024-06-01', to: '2024-06-30', account: 'UB1' });
        const page = await writeReport(built.doc, { format: 'html', out: path.join(dir, 'monthly.html') });
        const htmlMs = since(t);
        return {
          case: 'export', fills, csv_rows_per_s: Math.round(fills / (csvMs / 1000)), csv_mb: +(r.bytes / 1e6).toFixed(1),
          copy_rows_per_s: Math.round(fills / (copyMs / 1000)), csv_vs_copy: +(csvMs / copyMs).toFixed(2),
          rss_mb: Math.round(rssMb), rss_before_mb: Math.round(rssBefore / 1024 / 1024),
          html_ms: Math.round(htmlMs), html_kb: Math.round(page.bytes / 1024), html_rows: page.rows,
        };
      } finally {
        await pool.end();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
