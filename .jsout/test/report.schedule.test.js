// The scheduled report files, with a fake clock: when the daily and monthly reports are due
// (the real exchange calendar: holidays, early closes, a month that starts on a weekend or
// a holiday, daylight saving), that every due minute is one the crontab wakes the task at,
// and that a due task writes each account's files once, records their sha256 in the ledger,
// and writes nothing twice when run again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { parseCrontab } from 'graphile-worker';
import { CRONTAB } from "../agent/jobs/crontab.js";
import { sessionOf, sqlDeps } from "../agent/jobs/recon.js";
import { run as reportTask } from "../agent/jobs/report_files.js";
import { decideReports } from "../agent/jobs/report_schedule.js";
import { calendarOf } from "../agent/jobs/schedule.js";
import { testDb } from "./helpers/db.js";
import { ACCOUNT, ibCommission, ibFill, put, refreshReports } from "./helpers/recon.js";
const { sql, url } = await testDb(t);
const rows = (await sql `select day::text as day, is_open, kind, open_at, close_at, reason from recon.market_calendar`).map(sessionOf);
const cal = calendarOf(rows);
// Every UTC minute of a day at which a report is due, as 'HH:MM daily DAY' / 'HH:MM monthly FROM..TO'.
function dueMinutes(day) {
    const out = [];
    for (let m = 0; m < 1440; m++) {
        const at = new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000);
        const d = decideReports(at, cal);
        if (d.daily)
            out.push(`${at.toISOString().slice(11, 16)} daily ${d.daily}`);
        if (d.monthly)
            out.push(`${at.toISOString().slice(11, 16)} monthly ${d.monthly.from}..${d.monthly.to}`);
    }
    return out;
}
t.test('daily: 45 minutes after the close, trading days only; early closes and daylight saving move it', async (t) => {
    t.same(dueMinutes('2026-11-24'), ['21:45 daily 2026-11-24'], 'Tuesday, EST: 16:45 New York');
    t.same(dueMinutes('2026-07-14'), ['20:45 daily 2026-07-14'], 'EDT: 16:45 New York is 20:45 UTC');
    t.same(dueMinutes('2026-11-26'), [], 'Thanksgiving: nothing');
    t.same(dueMinutes('2026-11-27'), ['18:45 daily 2026-11-27'], 'the day after: early close at 13:00, report at 13:45');
    t.same(dueMinutes('2026-11-28'), [], 'Saturday: nothing');
    t.same(dueMinutes('2026-12-24'), ['18:45 daily 2026-12-24'], 'Christmas Eve: early close');
    t.same(dueMinutes('2026-12-25'), [], 'Christmas');
});
t.test('monthly: 08:00 New York on the month\'s first session, for the month before', async (t) => {
    t.same(dueMinutes('2026-11-02'), ['13:00 monthly 2026-10-01..2026-10-31', '21:45 daily 2026-11-02'], 'November 2026 starts on a Sunday: Monday the 2nd');
    t.same(dueMinutes('2026-11-01'), [], 'Sunday the 1st: nothing');
    t.same(dueMinutes('2026-11-03'), ['21:45 daily 2026-11-03'], 'only once a month');
    t.same(dueMinutes('2027-01-04'), ['13:00 monthly 2026-12-01..2026-12-31', '21:45 daily 2027-01-04'], 'New Year\'s Day on a Friday, then a weekend: Monday the 4th');
    t.same(dueMinutes('2026-06-01'), ['12:00 monthly 2026-05-01..2026-05-31', '20:45 daily 2026-06-01'], 'EDT: 08:00 New York is 12:00 UTC');
    t.same(dueMinutes('2026-03-02').filter((x) => x.includes('monthly')), ['13:00 monthly 2026-02-01..2026-02-28']);
});
t.test('every due minute of 2026 is a minute the crontab wakes the task at', async (t) => {
    const items = parseCrontab(CRONTAB);
    const daily = items.find((i) => i.task === 'report_daily');
    const monthly = items.find((i) => i.task === 'report_monthly');
    let checked = 0;
    for (const s of rows.filter((r) => r.day.startsWith('2026-') && r.isOpen)) {
        for (const m of dueMinutes(s.day)) {
            const [hm, kind] = m.split(' ');
            const at = new Date(`${s.day}T${hm}:00Z`);
            const item = kind === 'daily' ? daily : monthly;
            t.ok(item.match({ min: at.getUTCMinutes(), hour: at.getUTCHours(), date: at.getUTCDate(), month: at.getUTCMonth() + 1, dow: at.getUTCDay() }), `${kind} at ${at.toISOString()}`);
            checked++;
        }
    }
    t.equal(checked, rows.filter((r) => r.day.startsWith('2026-') && r.isOpen).length + 12, 'a daily report each session, a monthly one each month');
});
t.test('a due task writes each account\'s files, records their sha256, and never twice', async (t) => {
    const D = '2026-11-24';
    const at = (time) => new Date(`${D}T${time}-05:00`).toISOString();
    await put(sql, [
        ibFill('0000ab11.00000001.01.01', { side: 'BOT', qty: '10', price: '50', at: at('10:00:00') }), ibCommission('0000ab11.00000001.01.01', '1'),
        ibFill('0000ab11.00000002.01.01', { side: 'SLD', qty: '10', price: '51', at: at('15:00:00') }), ibCommission('0000ab11.00000002.01.01', '1'),
    ]);
    await refreshReports(sql);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-report-files-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const lines = [];
    const log = pino({ level: 'info' }, { write: (s) => { lines.push(JSON.parse(s)); } });
    const deps = {
        log, sql, url, home: dir, sessions: sqlDeps(sql, log, { reconTimeoutMs: 60_000 }).sessions,
        settings: { dir: '', formats: ['csv', 'html'], daily_enabled: true, monthly_enabled: true, accounts: [], chromium: '' },
    };
    const job = (ts) => ({ payload: { _cron: { ts, backfilled: false } }, helpers: { job: { id: '1', created_at: new Date(ts), run_at: new Date(ts) } } });
    const daily = reportTask('daily', deps);
    // not due: 16:00 New York
    let j = job('2026-11-24T21:00:00.000Z');
    await daily(j.payload, j.helpers);
    t.notOk(fs.existsSync(path.join(dir, 'reports')), 'nothing written at a minute that is not due');
    j = job('2026-11-24T21:45:00.000Z');
    await daily(j.payload, j.helpers);
    const csv = path.join(dir, 'reports', ACCOUNT, 'daily', `${D}.csv`);
    const html = path.join(dir, 'reports', ACCOUNT, 'daily', `${D}.html`);
    t.ok(fs.existsSync(csv) && fs.existsSync(html), 'both formats, under <dir>/<account>/daily/<day>');
    const files = await sql `select report, account, period_from::text, period_to::text, format, file, sha256, bytes from reports.generated_files order by format`;
    t.same(files.map((f) => [f.report, f.account, f.period_from, f.period_to, f.format, f.file]), [
        ['daily', ACCOUNT, D, D, 'csv', csv], ['daily', ACCOUNT, D, D, 'html', html],
    ]);
    for (const f of files) {
        t.equal(f.sha256, crypto.createHash('sha256').update(fs.readFileSync(f.file)).digest('hex'), `${f.format}: the recorded sha256 is the file's`);
    }
    const before = fs.readFileSync(html);
    await daily(j.payload, j.helpers);
    t.same(fs.readFileSync(html), before, 'run again (a retry, a backfill): the file is not rewritten');
    t.equal((await sql `select count(*)::int as n from reports.generated_files`)[0].n, 2, 'nor recorded twice');
    // a day without data writes nothing
    j = job('2026-11-25T21:45:00.000Z');
    await daily(j.payload, j.helpers);
    t.notOk(fs.existsSync(path.join(dir, 'reports', ACCOUNT, 'daily', '2026-11-25.csv')), 'no data that day: no file');
    t.ok(lines.some((l) => /report_daily: due for 2026-11-24/.test(String(l.msg))));
    // monthly on 1 December (a Tuesday, the month's first session) for November
    const monthly = reportTask('monthly', deps);
    j = job('2026-12-01T13:00:00.000Z');
    await monthly(j.payload, j.helpers);
    t.ok(fs.existsSync(path.join(dir, 'reports', ACCOUNT, 'monthly', '2026-11.html')), 'the monthly report of November on December\'s first session');
});
