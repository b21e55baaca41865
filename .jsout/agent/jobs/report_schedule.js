// When the scheduled report files are due: pure functions of (minute, exchange calendar),
// like the reconciliations' (schedule.ts), so holidays, early closes and month ends are
// tested without the clock.
//   daily    at close_at + 45 minutes of an open session: after the close's reconciliation
//            (+15) and the refresh it asks for; 16:45 New York, 13:45 on an early close.
//            The report covers that session's day.
//   monthly  at 08:00 New York on the month's first session (after the morning's statement
//            fetch at 07:00): the report covers the previous calendar month.
// Both candidate minutes lie within the UTC date of the New York date (12:00 to 21:45 UTC),
// so the calendar row is the minute's UTC date, as in schedule.ts.
import { wallClock, NEW_YORK } from "../zone.js";
import { CalendarError, utcDate } from "./schedule.js";
export const DAILY_REPORT_DELAY_MS = 45 * 60_000;
export const MONTHLY_REPORT_TIME = '08:00';
function sessionOf(minute, cal) {
    const day = utcDate(minute);
    const i = cal.index.get(day);
    if (i === undefined)
        throw new CalendarError(`the calendar (${cal.sessions[0].day} to ${cal.sessions[cal.sessions.length - 1].day}) does not cover ${day}`);
    return { i, session: cal.sessions[i] };
}
export function decideReports(now, cal) {
    if (Number.isNaN(now.getTime()))
        throw new CalendarError('decideReports: now is not a valid time');
    const minute = new Date(now.getTime() - (((now.getTime() % 60_000) + 60_000) % 60_000));
    const { i, session } = sessionOf(minute, cal);
    let daily = null;
    let monthly = null;
    if (session.isOpen) {
        if (minute.getTime() === session.closeAt.getTime() + DAILY_REPORT_DELAY_MS)
            daily = session.day;
        const ny = wallClock(minute, NEW_YORK);
        if (ny.date === session.day && ny.time.slice(0, 5) === MONTHLY_REPORT_TIME) {
            // the first session of its month: no open session before it in the same month (the
            // task loads a week before the day: a month's first session is never later than the 5th)
            let first = true;
            for (let j = i - 1; j >= 0 && cal.sessions[j].day.slice(0, 7) === session.day.slice(0, 7); j--) {
                if (cal.sessions[j].isOpen) {
                    first = false;
                    break;
                }
            }
            if (first) {
                const d = new Date(`${session.day.slice(0, 7)}-01T00:00:00Z`);
                d.setUTCDate(0); // the previous month's last day
                monthly = { from: `${d.toISOString().slice(0, 7)}-01`, to: d.toISOString().slice(0, 10) };
            }
        }
    }
    return { minute, session, daily, monthly };
}
