// The reconciliation schedule decides correctly from (minute, calendar) alone: the New York
// times of the hourly and close runs move across daylight saving in UTC, holidays, special
// closures and weekends run nothing, early closes move the close run to 13:15, and weekly
// and monthly runs follow the last session of the week and month. The calendar is the real
// recon.market_calendar from a migrated database; the decision is called for chosen
// minutes, so nothing waits for the clock. Last, every run due in 2020-2030 is a minute at
// which the crontab wakes its task.
import t from 'tap';
import { parseCrontab } from 'graphile-worker';
import { CRONTAB } from "../agent/jobs/crontab.js";
import { sessionOf } from "../agent/jobs/recon.js";
import { CalendarError, calendarOf, decide, describe } from "../agent/jobs/schedule.js";
import { testDb } from "./helpers/db.js";
const { sql } = await testDb(t);
const rows = (await sql `select day::text as day, is_open, kind, open_at, close_at, reason from recon.market_calendar`).map(sessionOf);
const cal = calendarOf(rows);
const Z = (iso) => new Date(iso);
const dueAt = (iso, c = cal) => decide(Z(iso), c).due;
// Every UTC minute of a day at which something is due, as 'HH:MM kind'.
function dueMinutes(day, c = cal) {
    const out = [];
    for (let m = 0; m < 1440; m++) {
        const at = new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000);
        for (const k of decide(at, c).due)
            out.push(`${at.toISOString().slice(11, 16)} ${k}`);
    }
    return out;
}
t.test('the calendar loaded is 2020-2030, one row a day', async (t) => {
    t.equal(rows.length, 4018);
    t.equal(rows[0].day, '2020-01-01');
    t.equal(rows.at(-1).day, '2030-12-31');
});
t.test('daylight saving starts 2026-03-08: 16:15 New York moves from 21:15 to 20:15 UTC', async (t) => {
    // Friday 2026-03-06 is EST (UTC-5): hourly 10:00-15:00 New York = 15:00-20:00 UTC.
    t.same(dueMinutes('2026-03-06'), [
        '15:00 hourly', '16:00 hourly', '17:00 hourly', '18:00 hourly', '19:00 hourly', '20:00 hourly',
        '21:15 close', '21:15 weekly',
    ]);
    t.same(dueMinutes('2026-03-07'), [], 'Saturday');
    t.same(dueMinutes('2026-03-08'), [], 'Sunday, the switch itself');
    // Monday 2026-03-09 is EDT (UTC-4): 14:00-19:00 UTC, close run 20:15 UTC.
    t.same(dueMinutes('2026-03-09'), [
        '14:00 hourly', '15:00 hourly', '16:00 hourly', '17:00 hourly', '18:00 hourly', '19:00 hourly', '20:15 close',
    ]);
    t.same(dueAt('2026-03-09T21:15:00Z'), [], 'the winter minute no longer runs the close');
    t.same(dueAt('2026-03-09T20:00:00Z'), [], '16:00 New York is the close, not strictly inside the session');
    t.same(dueAt('2026-03-09T13:00:00Z'), [], '09:00 New York is before the open');
});
t.test('daylight saving ends 2026-11-01: 16:15 New York moves from 20:15 to 21:15 UTC', async (t) => {
    // Friday 2026-10-30, EDT: the last session of the week and of October (31st is Saturday).
    t.same(dueMinutes('2026-10-30'), [
        '14:00 hourly', '15:00 hourly', '16:00 hourly', '17:00 hourly', '18:00 hourly', '19:00 hourly',
        '20:15 close', '20:15 weekly', '20:15 monthly',
    ]);
    t.same(dueMinutes('2026-11-01'), [], 'Sunday, the switch itself');
    t.same(dueMinutes('2026-11-02'), [
        '15:00 hourly', '16:00 hourly', '17:00 hourly', '18:00 hourly', '19:00 hourly', '20:00 hourly', '21:15 close',
    ]);
    t.same(dueAt('2026-11-02T20:15:00Z'), [], 'the summer minute no longer runs the close');
});
t.test('Thanksgiving 2026-11-26: nothing runs all day', async (t) => {
    t.same(dueMinutes('2026-11-26'), []);
    t.equal(decide(Z('2026-11-26T21:15:00Z'), cal).session.kind, 'holiday');
});
t.test('early close 2026-11-27: close run 13:15 New York = 18:15 UTC, no hourly from 13:00', async (t) => {
    t.same(dueMinutes('2026-11-27'), [
        '15:00 hourly', '16:00 hourly', '17:00 hourly', // 10:00, 11:00, 12:00 New York
        '18:15 close', '18:15 weekly', // the Friday is the week's last session
    ]);
    t.same(dueAt('2026-11-27T18:00:00Z'), [], '13:00 New York is the early close itself');
    t.same(dueAt('2026-11-27T21:15:00Z'), [], 'no regular close run');
    t.same(dueAt('2026-11-27T18:15:59.999Z'), ['close', 'weekly'], 'judged by the minute: seconds are dropped');
    t.same(dueAt('2026-11-27T18:16:00Z'), []);
    t.same(dueAt('2026-11-27T18:14:59.999Z'), []);
    t.match(describe(decide(Z('2026-11-27T18:15:00Z'), cal)), /^2026-11-27T18:15:00\.000Z \(13:15 New York\), 2026-11-27 early_close \(Day after Thanksgiving\), session 09:30-13:00: due close, weekly$/);
});
t.test('special closure 2025-01-09 (National Day of Mourning, President Carter): nothing runs', async (t) => {
    t.same(dueMinutes('2025-01-09'), []);
    const d = decide(Z('2025-01-09T21:15:00Z'), cal);
    t.equal(d.session.kind, 'special_closure');
    t.match(d.session.reason, /Carter/);
    t.same(dueMinutes('2025-01-08').filter((m) => !m.endsWith('hourly')), ['21:15 close'], 'the day before is a regular day');
    t.same(dueMinutes('2025-01-10').filter((m) => !m.endsWith('hourly')), ['21:15 close', '21:15 weekly'], 'the week still ends on Friday');
});
t.test('every NYSE holiday of 2026 and 2027 runs nothing', async (t) => {
    const holidays = [
        '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
        '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
    ];
    for (const day of holidays) {
        t.equal(decide(Z(`${day}T18:00:00Z`), cal).session.kind, 'holiday', `${day} is a holiday`);
        t.same(dueMinutes(day), [], `${day} runs nothing`);
    }
});
t.test('a weekend runs nothing, whatever the minute', async (t) => {
    for (const day of ['2026-06-20', '2026-06-21', '2027-01-02', '2027-01-03'])
        t.same(dueMinutes(day), [], day);
});
t.test('weekly and monthly follow the last session of the week and of the month', async (t) => {
    const closeRuns = (day) => dueMinutes(day).filter((m) => !m.endsWith('hourly'));
    t.same(closeRuns('2026-03-31'), ['20:15 close', '20:15 monthly'], 'Tuesday 31 March: month ends mid-week');
    t.same(closeRuns('2026-04-02'), ['20:15 close', '20:15 weekly'], 'Thursday before Good Friday ends the week');
    t.same(closeRuns('2026-07-02'), ['20:15 close', '20:15 weekly'], 'Thursday before the observed Independence Day');
    t.same(closeRuns('2026-12-24'), ['18:15 close', '18:15 weekly'], 'Christmas Eve early close ends the week');
    t.same(closeRuns('2026-12-31'), ['21:15 close', '21:15 weekly', '21:15 monthly'], 'New Year\'s Eve ends week, month and year');
    t.same(closeRuns('2027-05-28'), ['20:15 close', '20:15 weekly', '20:15 monthly'], 'Friday before Memorial Day 31 May');
    t.same(closeRuns('2027-04-30'), ['20:15 close', '20:15 weekly', '20:15 monthly'], 'Friday 30 April');
    t.same(closeRuns('2026-10-29'), ['20:15 close'], 'an ordinary Thursday');
});
t.test('decisions need the calendar of the minute and of the days after it', async (t) => {
    t.throws(() => decide(Z('2031-01-02T21:15:00Z'), cal), { code: 'CALENDAR', message: /does not cover 2031-01-02/ });
    t.throws(() => decide(Z('2019-12-31T21:15:00Z'), cal), { code: 'CALENDAR', message: /does not cover 2019-12-31/ });
    t.throws(() => decide(new Date(NaN), cal), CalendarError);
    // 2030-12-31 is the calendar's last day: whether it ends the week cannot be known.
    t.throws(() => decide(Z('2030-12-31T21:15:00Z'), cal), { code: 'CALENDAR', message: /cannot tell whether 2030-12-31 is the last session/ });
    t.same(dueAt('2030-12-31T15:00:00Z'), ['hourly'], 'the hourly run does not need the days after');
});
t.test('calendarOf refuses rows that would make a wrong decision', async (t) => {
    const day = (d, extra = {}) => ({
        day: d, isOpen: true, kind: 'regular', openAt: Z(`${d}T14:30:00Z`), closeAt: Z(`${d}T21:00:00Z`), reason: null, ...extra,
    });
    t.throws(() => calendarOf([]), { message: /empty/ });
    t.throws(() => calendarOf([day('2026-01-05'), day('2026-01-07')]), { message: /consecutive days: 2026-01-07 follows 2026-01-05/ });
    t.throws(() => calendarOf([day('2026-01-05'), day('2026-01-05')]), { message: /consecutive/ });
    t.throws(() => calendarOf([day('2026-1-5')]), { message: /not a YYYY-MM-DD date/ });
    t.throws(() => calendarOf([day('2026-01-05', { kind: 'holiday' })]), { message: /is holiday but is_open is true/ });
    t.throws(() => calendarOf([day('2026-01-05', { kind: 'closed' })]), { message: /unknown kind/ });
    t.throws(() => calendarOf([day('2026-01-05', { closeAt: null })]), { message: /open but its session/ });
    t.throws(() => calendarOf([day('2026-01-05', { closeAt: Z('2026-01-05T14:00:00Z') })]), { message: /open but its session/ });
    t.throws(() => calendarOf([day('2026-01-05', { isOpen: false, kind: 'holiday' })]), { message: /holiday but has session times/ });
    // A session running past midnight UTC would be looked up under the wrong date.
    t.throws(() => calendarOf([day('2026-01-05', { closeAt: Z('2026-01-05T23:50:00Z') })]), { message: /leaves its UTC date/ });
});
t.test('a hand-made calendar: an override early close at 11:00 New York', async (t) => {
    // Monday 2026-01-05 (EST) closes at 11:00 New York = 16:00 UTC; Tuesday is a regular day.
    const c = calendarOf([
        { day: '2026-01-05', isOpen: true, kind: 'early_close', openAt: Z('2026-01-05T14:30:00Z'), closeAt: Z('2026-01-05T16:00:00Z'), reason: 'test' },
        { day: '2026-01-06', isOpen: true, kind: 'regular', openAt: Z('2026-01-06T14:30:00Z'), closeAt: Z('2026-01-06T21:00:00Z'), reason: null },
    ]);
    t.same(dueMinutes('2026-01-05', c), ['15:00 hourly', '16:15 close']);
});
// UTC fields of a minute, as graphile-worker's cron matches them.
const digest = (d) => ({ min: d.getUTCMinutes(), hour: d.getUTCHours(), date: d.getUTCDate(), month: d.getUTCMonth() + 1, dow: d.getUTCDay() });
t.test('2020-2030: every due run is a minute at which the crontab wakes its task', async (t) => {
    const items = new Map(parseCrontab(CRONTAB).map((i) => [i.task, i]));
    const count = { hourly: 0, close: 0, weekly: 0, monthly: 0 };
    const missed = [];
    let minutes = 0;
    for (const s of rows) {
        if (!s.isOpen)
            continue;
        // Every minute from an hour before the open to an hour after the close run.
        for (let at = s.openAt.getTime() - 3_600_000; at <= s.closeAt.getTime() + 75 * 60_000; at += 60_000) {
            if (s.day === '2030-12-31' && at >= s.closeAt.getTime() + 15 * 60_000)
                break; // see the coverage test
            minutes++;
            const d = new Date(at);
            for (const k of decide(d, cal).due) {
                count[k]++;
                if (!items.get(`recon_${k}`).match(digest(d)))
                    missed.push(`${d.toISOString()} ${k}`);
            }
        }
    }
    t.same(missed, [], 'the crontab wakes every due run');
    const sessions = rows.filter((s) => s.isOpen);
    const weeks = new Set(sessions.map((s) => {
        const d = new Date(`${s.day}T00:00:00Z`);
        return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    }));
    t.equal(count.close, sessions.length - 1, 'one close run per session (but the last, see above)');
    t.equal(count.weekly, weeks.size - 1, 'one weekly run per week with a session');
    t.equal(count.monthly, 131, 'one monthly run per month');
    // 6 hourly runs a regular day, 3 on a 13:00 early close.
    const early = sessions.filter((s) => s.kind === 'early_close').length;
    t.equal(count.hourly, 6 * (sessions.length - early) + 3 * early);
    t.ok(minutes > 1_000_000, `${minutes} minutes decided`);
});
