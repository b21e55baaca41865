// Archive and verify-archive throughput: N ledger events (default 5,000,000) over five
// months past the retention lock, archived to Parquet in a temporary directory and then
// verified from the files alone. Baseline in the same run: COPY of the same rows out of
// PostgreSQL as text (the fastest any export could read them).
//   archive_rows_per_s         blotter archive: export, Parquet, read back, every hash checked
//   verify_archive_rows_per_s  blotter verify-archive --offline (target >= 300,000)
//   compression_ratio          bytes in PostgreSQL (table, indexes, TOAST) / bytes archived
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { archiveMonths } from "../agent/archive/archive.js";
import { DirStore } from "../agent/archive/store.js";
import { verifyArchive } from "../agent/archive/verify.js";
import { withBenchDatabase } from "./db.js";
const MONTHS = ['2018-01', '2018-02', '2018-03', '2018-04', '2018-05'];
export async function run(args) {
    const { values } = parseArgs({ args, options: { n: { type: 'string' }, streams: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
    const n = Number(values.n ?? 5_000_000);
    const streams = Number(values.streams ?? 20);
    const perMonth = Math.ceil(n / MONTHS.length);
    return withBenchDatabase('archive', async (sql) => {
        const t0 = Date.now();
        for (const [i, m] of MONTHS.entries()) {
            const from = `${m}-01T00:00:00Z`;
            const to = `${MONTHS[i + 1] ?? '2018-06'}-01T00:00:00Z`;
            await sql.begin(async (tx) => {
                await tx `set local role blotter_owner`;
                await tx.unsafe(`create table ledger.events_${m.replace('-', '')} partition of ledger.events for values from ('${from}') to ('${to}')`);
            });
            // Rows like the relay's executions, spread over the month, grouped by stream.
            const span = (Date.parse(to) - Date.parse(from)) / 1000 - 1;
            for (let s = 0; s < streams; s++) {
                const k = Math.ceil(perMonth / streams);
                await sql `
          insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_type, entity_id, account, idempotency_key, payload)
          select 'ib:DU' || ${1000 + s}, ${from}::timestamptz + (g * interval '1 second' * (${span}::numeric / ${k})),
                 ${from}::timestamptz + (g * interval '1 second' * (${span}::numeric / ${k})), 'ib', 'ib_execution', 'execution',
                 '0000e0d5.' || ${m.replace('-', '')} || '.' || ${s} || '.' || g, 'DU' || ${1000 + s}, 'ib:exec:' || ${m} || ':' || ${s} || ':' || g,
                 jsonb_build_object('exec_id', '0000e0d5.6571' || g || '.01.01', 'side', case when g % 2 = 0 then 'BOT' else 'SLD' end,
                                    'shares', ((g % 500) + 1)::text, 'price', (100 + (g % 997) / 1000.0)::numeric(12, 3)::text,
                                    'symbol', 'SYM' || (g % 500), 'con_id', 265598 + (g % 500), 'exchange', 'ISLAND', 'order_id', g / 4)
            from generate_series(1, ${k}) g`;
            }
        }
        const loadS = (Date.now() - t0) / 1000;
        await sql `vacuum analyze ledger.events`;
        const [{ rows }] = await sql `select count(*)::bigint as rows from ledger.events where recorded_at < '2018-06-01'`;
        const total = Number(rows);
        // Baseline: the same rows out of PostgreSQL as COPY text.
        let t = process.hrtime.bigint();
        for (const m of MONTHS) {
            await pipeline(await sql.unsafe(`copy ledger.events_${m.replace('-', '')} to stdout`).readable(), new Writable({ write(_c, _e, cb) { cb(); } }));
        }
        const copyS = Number(process.hrtime.bigint() - t) / 1e9;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-bench-archive-'));
        try {
            const store = new DirStore(dir);
            t = process.hrtime.bigint();
            const done = await archiveMonths(sql, { store, families: ['ledger_events'], before: '2018-06', recipients: [], log: () => { } });
            const archiveS = Number(process.hrtime.bigint() - t) / 1e9;
            t = process.hrtime.bigint();
            const report = await verifyArchive({ store, identities: [] });
            const verifyS = Number(process.hrtime.bigint() - t) / 1e9;
            if (report.problems.length || report.rows !== total)
                throw new Error(`verify-archive: ${report.rows} rows, problems ${JSON.stringify(report.problems.slice(0, 3))}`);
            const tableBytes = done.reduce((a, m) => a + m.tableBytes, 0);
            const archiveBytes = done.reduce((a, m) => a + m.bytes, 0);
            return {
                case: 'archive', rows: total, streams, months: done.length, load_s: +loadS.toFixed(1),
                copy_rows_per_s: Math.round(total / copyS),
                archive_s: +archiveS.toFixed(1), archive_rows_per_s: Math.round(total / archiveS), archive_vs_copy: +(archiveS / copyS).toFixed(2),
                verify_archive_s: +verifyS.toFixed(1), verify_archive_rows_per_s: Math.round(total / verifyS),
                table_mb: +(tableBytes / 1e6).toFixed(1), archive_mb: +(archiveBytes / 1e6).toFixed(1),
                compression_ratio: +(tableBytes / archiveBytes).toFixed(2),
            };
        }
        finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
}
