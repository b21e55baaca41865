// Producing a report file: resolve the parameters (dates checked, sensible defaults from the
// data), build the document (catalog.ts or a custom report), stamp it with what every file
// carries (parameters, generation time, freshness of the materialized reports it read, the
// chain status of its streams, the ledger's head), refuse an empty range unless asked, and
// write the format, to a file atomically (a temporary file renamed: never half a file) or
// to standard output.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { BlotterError } from "../errors.js";
import { findReport, openTable, requireParams } from "./catalog.js";
import { sinkOf, writeCsv, writeJson, writeXlsx } from "./formats.js";
import { batches, GENERATOR } from "./model.js";
import { sql } from "./read.js";
export const FORMATS = ['csv', 'json', 'xlsx', 'html', 'pdf'];
export function checkDate(v, option) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    const d = m ? new Date(`${v}T00:00:00Z`) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
        throw new BlotterError('REPORT_PARAM', `${option} "${v}" is not a date: write YYYY-MM-DD, e.g. 2026-11-30`);
    }
    return v;
}
const todayNy = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
// The last day with data for the report (its main relation), for defaults.
async function latestDay(pool, spec, account) {
    const q = {
        daily: sql.unsafe `select max(trade_date)::text from reports.daily_summary where ${account ? sql.fragment `account = ${account}` : sql.fragment `true`}`,
        monthly: sql.unsafe `select max(trade_date)::text from reports.equity_daily where ${account ? sql.fragment `account = ${account}` : sql.fragment `true`}`,
        execution: sql.unsafe `select max(trade_date)::text from reports.execution_quality where ${account ? sql.fragment `account = ${account}` : sql.fragment `true`}`,
        tax: sql.unsafe `select (max(tax_year) || '-12-31') from reports.realized_gains where ${account ? sql.fragment `account = ${account}` : sql.fragment `true`}`,
    }[(spec.name === 'fills' ? 'daily' : spec.name)]; // fills: the days the daily summary has
    if (!q)
        return null;
    return (await pool.oneFirst(q));
}
// from/to from --year, --from, --to, or the data.
export async function resolveRange(pool, spec, p) {
    if (p.year !== undefined) {
        if (p.from || p.to)
            throw new BlotterError('REPORT_PARAM', 'give --year or --from/--to, not both');
        return { from: `${p.year}-01-01`, to: `${p.year}-12-31` };
    }
    const wholeYear = spec.name === 'monthly' || spec.name === 'tax';
    let from = p.from;
    let to = p.to;
    if (!from && !to) {
        const last = (await latestDay(pool, spec, p.account)) ?? todayNy();
        if (wholeYear)
            return { from: `${last.slice(0, 4)}-01-01`, to: `${last.slice(0, 4)}-12-31` };
        if (spec.name === 'reconciliation')
            return { from: addDays(todayNy(), -30), to: todayNy() };
        if (spec.name === 'config-changes' || spec.name === 'user-actions')
            return { from: '1970-01-01', to: todayNy() };
        return { from: last, to: last };
    }
    from ??= spec.name === 'config-changes' || spec.name === 'user-actions' ? '1970-01-01' : to;
    to ??= spec.name === 'daily' || spec.name === 'execution' || spec.name === 'fills' ? from : todayNy();
    if (from > to)
        throw new BlotterError('REPORT_PARAM', `--from ${from} is after --to ${to}`);
    return { from, to };
}
function addDays(d, n) {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + n);
    return t.toISOString().slice(0, 10);
}
// What every file carries besides its numbers.
export async function stampMeta(pool, o) {
    const fresh = await pool.any(sql.unsafe `select name, refreshed_at, events_through_seq from reports.refreshes where name = any(${sql.array(o.reads, 'text')}) order by position`);
    const patterns = o.streams.map((s) => s.replace(/\*/g, '%'));
    const chain = patterns.length === 0 ? [] : await pool.any(sql.unsafe `
      select stream, verified_at, ok, rows_since from reports.chain_status where stream like any(${sql.array(patterns, 'text')}) order by stream`);
    const head = await pool.maybeOne(sql.unsafe `select seq from reports.ledger_head()`);
    return {
        report: o.report, title: o.title, parameters: o.parameters, generatedAt: new Date().toISOString(), generator: GENERATOR,
        freshness: fresh.map((f) => ({ name: String(f.name), refreshedAt: String(f.refreshed_at), eventsThroughSeq: f.events_through_seq === null ? null : String(f.events_through_seq) })),
        ledgerThroughSeq: head ? String(head.seq) : null,
        chain: chain.map((c) => ({ stream: String(c.stream), verifiedAt: c.verified_at === null ? null : String(c.verified_at), ok: c.ok, rowsSince: c.rows_since === null ? null : Number(c.rows_since) })),
    };
}
export async function buildCatalogReport(pool, name, p) {
    const spec = findReport(name);
    if (!spec)
        throw new BlotterError('REPORT_UNKNOWN', `no report named "${name}"`);
    requireParams(spec, p);
    const { from, to } = spec.params.includes('from') || spec.params.includes('year') ? await resolveRange(pool, spec, p) : { from: '', to: '' };
    const built = await spec.build({ pool, p, from, to });
    const tables = [];
    let any = false;
    for (const t of built.tables) {
        any ||= Boolean(await pool.oneFirst(sql.unsafe `select exists (${t.query})`));
        tables.push(await openTable(pool, t));
    }
    const parameters = {};
    if (from)
        Object.assign(parameters, { from, to });
    if (p.account)
        parameters.account = p.account;
    if (p.order)
        parameters.order = p.order;
    const meta = await stampMeta(pool, { report: spec.name, title: spec.title, parameters, reads: spec.reads, streams: spec.streams(p.account) });
    const describe = `report ${spec.name}${p.account ? ` for ${p.account}` : ''}${from ? ` from ${from} to ${to}` : ''}${p.order ? ` of order ${p.order}` : ''}`;
    return { doc: { meta, headlines: built.headlines, charts: built.charts, tables }, empty: !any, describe };
}
async function* countRows(rows, add) {
    for await (const b of batches(rows)) {
        add(b.length);
        yield b;
    }
}
// Write `doc` as `format` to `out` (a path) or to `stdout`. One table for CSV: `table` or the first.
export async function writeReport(doc, o) {
    let tables = doc.tables;
    if (o.table !== undefined) {
        tables = doc.tables.filter((t) => t.name === o.table);
        if (tables.length === 0)
            throw new BlotterError('REPORT_PARAM', `--table ${o.table}: this report's tables are ${doc.tables.map((t) => t.name).join(', ')}`);
    }
    const d = { ...doc, tables };
    const hash = createHash('sha256');
    let bytes = 0;
    const tmp = o.out ? path.join(path.dirname(path.resolve(o.out)), `.${path.basename(o.out)}.${process.pid}.tmp`) : null;
    const target = tmp ? fs.createWriteStream(tmp, { highWaterMark: 1 << 20 }) : o.stdout ?? process.stdout;
    // what is written is hashed and counted on the way (the sha256 a scheduled file is recorded with)
    const tap = new PassThrough({ highWaterMark: 1 << 20 });
    tap.on('data', (b) => { hash.update(b); bytes += b.length; });
    tap.pipe(target);
    let rows = 0;
    try {
        if (o.format === 'csv')
            rows = await writeCsv(tables[0], sinkOf(tap), o.onRows);
        else if (o.format === 'json')
            rows = await writeJson(d, sinkOf(tap), o.onRows);
        else if (o.format === 'xlsx')
            rows = await writeXlsx(d, tap, o.onRows);
        else {
            // rows counted as the page takes them
            const counted = { ...d, tables: d.tables.map((t) => ({ ...t, rows: countRows(t.rows, (k) => { rows += k; o.onRows?.(rows); }) })) };
            // vega and the browser driver load only for these formats
            const html = await (await import("./html.js")).renderHtml(counted);
            const body = o.format === 'pdf' ? await (await import("./pdf.js")).htmlToPdf(html, { chromium: o.chromium }) : Buffer.from(html, 'utf8');
            await sinkOf(tap).write(body);
        }
        await new Promise((resolve, reject) => {
            target.once('error', reject);
            if (tmp)
                target.once('close', () => resolve());
            tap.end(() => { if (!tmp)
                resolve(); });
        });
        let sidecar = null;
        if (tmp && o.out) {
            fs.renameSync(tmp, o.out);
            if (o.format === 'csv') {
                sidecar = `${o.out}.meta.json`;
                fs.writeFileSync(sidecar, JSON.stringify({ ...d.meta, table: tables[0].name, columns: tables[0].columns, headlines: d.headlines }, null, 2) + '\n');
            }
        }
        return { file: o.out ?? null, rows, bytes, sha256: hash.digest('hex'), sidecar };
    }
    catch (err) {
        if (tmp) {
            target.destroy();
            fs.rmSync(tmp, { force: true });
        }
        throw err;
    }
}
