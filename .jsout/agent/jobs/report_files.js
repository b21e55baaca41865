// report_daily and report_monthly: the report files the agent writes on its own, decided by
// the exchange calendar (report_schedule.ts): the daily report 45 minutes after each close
// for that day, the monthly report at 08:00 New York on a month's first session for the
// month before. One file per account and configured format under reports.dir
// (<dir>/<account>/<report>/<period>.<format>), written atomically, then recorded in the
// ledger with its sha256 (reports.record_generated). A file already recorded is not written
// again (a retried or backfilled job changes nothing); a period without data writes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { scheduledAt } from "./recon.js";
import { decideReports } from "./report_schedule.js";
import { addDays, calendarOf, utcDate } from "./schedule.js";
export const DAILY_TASK = 'report_daily';
export const MONTHLY_TASK = 'report_monthly';
export function reportsDir(settings, home) {
    return settings.dir || path.join(home, 'reports');
}
export function run(kind, deps) {
    const name = kind === 'daily' ? DAILY_TASK : MONTHLY_TASK;
    return async (payload, helpers) => {
        if (!(kind === 'daily' ? deps.settings.daily_enabled : deps.settings.monthly_enabled))
            return;
        let at;
        try {
            at = scheduledAt(payload, helpers.job);
        }
        catch (err) {
            deps.log.error({ job: name, payload, err: err.message }, `${name}: job dropped`);
            return;
        }
        const day = utcDate(at);
        const decision = decideReports(at, calendarOf(await deps.sessions(addDays(day, -7), addDays(day, 7))));
        const period = kind === 'daily' ? (decision.daily ? { from: decision.daily, to: decision.daily, label: decision.daily } : null)
            : decision.monthly ? { ...decision.monthly, label: decision.monthly.from.slice(0, 7) } : null;
        deps.log.info({ job: name, at: decision.minute.toISOString(), day: decision.session.day, session: decision.session.kind, due: Boolean(period) }, `${name}: ${period ? `due for ${period.label}` : 'nothing due'}`);
        if (!period)
            return;
        await writeFiles(kind, period, deps);
    };
}
export async function writeFiles(kind, period, deps) {
    const { openReadPool, sql } = await import("../report/read.js");
    const { buildCatalogReport, writeReport } = await import("../report/run.js");
    const pool = await openReadPool(deps.url, { statementTimeoutMs: 600_000, applicationName: 'blotter-report-files' });
    const written = [];
    try {
        const accounts = deps.settings.accounts.length ? deps.settings.accounts : (await pool.anyFirst(sql.unsafe `
        select account from reports.daily_summary where trade_date between ${period.from}::date and ${period.to}::date
        union select account from reports.equity_daily where trade_date between ${period.from}::date and ${period.to}::date order by 1`));
        for (const account of accounts) {
            for (const format of deps.settings.formats) {
                const file = path.join(reportsDir(deps.settings, deps.home), account, kind, `${period.label}.${format}`);
                const [known] = await deps.sql `select sha256 from reports.generated_files
                                        where report = ${kind} and account = ${account} and period_from = ${period.from}::date and period_to = ${period.to}::date and format = ${format}`;
                if (known)
                    continue;
                const built = await buildCatalogReport(pool, kind, { from: period.from, to: period.to, account });
                if (built.empty) {
                    deps.log.info({ report: kind, account, period: period.label }, `${kind} report: no data for ${account} in ${period.label}; no file`);
                    break;
                }
                fs.mkdirSync(path.dirname(file), { recursive: true });
                const r = await writeReport(built.doc, { format, out: file, chromium: deps.settings.chromium || undefined });
                await deps.sql `select reports.record_generated(${kind}, ${account}, ${period.from}::date, ${period.to}::date, ${format}, ${file},
                                                       ${r.sha256}, ${r.bytes}, ${r.rows}, ${built.doc.meta.generatedAt}::timestamptz)`;
                deps.log.info({ report: kind, account, period: period.label, format, file, sha256: r.sha256, bytes: r.bytes }, `${kind} report written`);
                written.push(file);
            }
        }
    }
    finally {
        await pool.end();
    }
    return written;
}
