// When the scheduled reconciliations are due: a pure function of (minute, exchange calendar),
// so the schedule is tested for any date without waiting for the clock. graphile-worker's
// cron only knows UTC; the tasks wake at candidate UTC minutes (crontab.ts) and ask here.
//
// The rules. Times are New York's, taken from recon.market_calendar's open_at and close_at,
// which PostgreSQL converted from New York local time: daylight saving is already in them.
//   hourly   at each full hour strictly inside the session, open_at < t < close_at: 10:00
//            to 15:00 on a regular day (09:30-16:00), 10:00 to 12:00 on a 13:00 early close.
//            New York is a whole number of hours from UTC, so its full hours are UTC's.
//   close    at close_at + 15 minutes: 16:15 on a regular day, 13:15 on an early close.
//   weekly   at the close run of the week's last session: no later session in the same
//            ISO week (Monday to Sunday). Thursday in a Good Friday week.
//   monthly  at the close run of the month's last session: no later session in the month.
//   Nothing is due on a weekend, a holiday or a special closure.
// `now` is judged by its minute (seconds are dropped): "due in this minute".
//
// Every minute at which anything can be due lies between 09:30 and 16:15 New York, that is
// between 13:30 and 21:15 UTC of the same date (New York is UTC-4 or UTC-5). So the session
// a minute belongs to is the calendar row of the minute's UTC date: no time zone arithmetic
// here at all. calendarOf checks that assumption on every row it is given.
import { BlotterError } from "../errors.js";
export const SCHEDULED_KINDS = ['hourly', 'close', 'weekly', 'monthly'];
// The close run waits this long after the close, for the last fills and the closing
// snapshots to arrive.
export const CLOSE_RUN_DELAY_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const SESSION_KINDS = ['regular', 'early_close', 'holiday', 'weekend', 'special_closure'];
export class CalendarError extends BlotterError {
    constructor(message) {
        super('CALENDAR', message);
        this.name = 'CalendarError';
    }
}
// The UTC date of an instant, YYYY-MM-DD.
export function utcDate(t) {
    return t.toISOString().slice(0, 10);
}
// A YYYY-MM-DD date moved by whole days.
export function addDays(day, days) {
    return utcDate(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}
// The Monday of a date's ISO week.
function mondayOf(day) {
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
    return addDays(day, -((dow + 6) % 7));
}
// The calendar rows checked and indexed once, so `decide` is a lookup. Rows must be
// consecutive days (a gap would hide a session from the weekly and monthly rules), and an
// open day's session must lie within its own UTC date (see the top of this file).
export function calendarOf(rows) {
    if (rows.length === 0)
        throw new CalendarError('the calendar is empty');
    const index = new Map();
    rows.forEach((s, i) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s.day) || Number.isNaN(Date.parse(`${s.day}T00:00:00Z`))) {
            throw new CalendarError(`calendar row ${i} has day ${JSON.stringify(s.day)}, not a YYYY-MM-DD date`);
        }
        if (i > 0 && s.day !== addDays(rows[i - 1].day, 1)) {
            throw new CalendarError(`calendar rows must be consecutive days: ${s.day} follows ${rows[i - 1].day}`);
        }
        if (!SESSION_KINDS.includes(s.kind))
            throw new CalendarError(`calendar day ${s.day} has unknown kind ${JSON.stringify(s.kind)}`);
        if (s.isOpen !== (s.kind === 'regular' || s.kind === 'early_close')) {
            throw new CalendarError(`calendar day ${s.day} is ${s.kind} but is_open is ${s.isOpen}`);
        }
        if (s.isOpen) {
            if (!s.openAt || !s.closeAt || !(s.openAt < s.closeAt)) {
                throw new CalendarError(`calendar day ${s.day} is open but its session is ${s.openAt?.toISOString()} to ${s.closeAt?.toISOString()}`);
            }
            const closeRun = new Date(s.closeAt.getTime() + CLOSE_RUN_DELAY_MS);
            if (utcDate(s.openAt) !== s.day || utcDate(closeRun) !== s.day) {
                throw new CalendarError(`calendar day ${s.day}: session ${s.openAt.toISOString()} to ${s.closeAt.toISOString()} leaves its UTC date`);
            }
        }
        else if (s.openAt || s.closeAt) {
            throw new CalendarError(`calendar day ${s.day} is ${s.kind} but has session times`);
        }
        index.set(s.day, i);
    });
    return { sessions: rows, index };
}
// The first open session after the calendar row at position i.
function nextSession(cal, i, why) {
    for (let j = i + 1; j < cal.sessions.length; j++)
        if (cal.sessions[j].isOpen)
            return cal.sessions[j];
    const last = cal.sessions[cal.sessions.length - 1].day;
    throw new CalendarError(`cannot tell whether ${cal.sessions[i].day} is the ${why}: the calendar ends at ${last} with no session after it`);
}
export function decide(now, cal) {
    if (Number.isNaN(now.getTime()))
        throw new CalendarError('decide: now is not a valid time');
    const minute = new Date(now.getTime() - (((now.getTime() % 60_000) + 60_000) % 60_000));
    const day = utcDate(minute);
    const i = cal.index.get(day);
    if (i === undefined) {
        throw new CalendarError(`the calendar (${cal.sessions[0].day} to ${cal.sessions[cal.sessions.length - 1].day}) does not cover ${day}`);
    }
    const session = cal.sessions[i];
    const due = [];
    if (session.isOpen) {
        const t = minute.getTime();
        if (minute.getUTCMinutes() === 0 && session.openAt.getTime() < t && t < session.closeAt.getTime())
            due.push('hourly');
        if (t === session.closeAt.getTime() + CLOSE_RUN_DELAY_MS) {
            due.push('close');
            const next = nextSession(cal, i, 'last session of its week or month');
            if (mondayOf(next.day) !== mondayOf(day))
                due.push('weekly');
            if (next.day.slice(0, 7) !== day.slice(0, 7))
                due.push('monthly');
        }
    }
    return { minute, session, due };
}
const NY_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
// A line for the log: what the minute is in New York and what the calendar says of it.
export function describe(d) {
    const s = d.session;
    const hours = s.isOpen ? `, session ${NY_TIME.format(s.openAt)}-${NY_TIME.format(s.closeAt)}` : '';
    const what = `${s.day} ${s.kind}${s.reason ? ` (${s.reason})` : ''}${hours}`;
    return `${d.minute.toISOString()} (${NY_TIME.format(d.minute)} New York), ${what}: ${d.due.length ? `due ${d.due.join(', ')}` : 'nothing due'}`;
}
