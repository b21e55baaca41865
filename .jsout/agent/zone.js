// Wall clock in a named zone and back, through Intl (the tz database), so daylight saving
// is right on both sides. One formatter per zone, made once: constructing an
// Intl.DateTimeFormat costs tens of microseconds, and a statement converts one time a row.
const formatters = new Map();
function formatter(zone) {
    let f = formatters.get(zone);
    if (!f) {
        f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
        if (formatters.size < 100)
            formatters.set(zone, f);
    }
    return f;
}
function parts(utcMs, zone) {
    return Object.fromEntries(formatter(zone).formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
}
function offsetMs(zone, utcMs) {
    const p = parts(utcMs, zone);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - utcMs;
}
// Wall-clock time in `zone` to a UTC instant (two passes settle DST edges: the repeated
// autumn hour reads as daylight time, a spring-gap time moves forward).
export function zonedToUtc(y, mo, d, h, mi, s, zone) {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    let utc = wall - offsetMs(zone, wall);
    utc = wall - offsetMs(zone, utc);
    return utc;
}
// An instant as the wall clock of `zone`: date YYYY-MM-DD and time HH:MM:SS.
export function wallClock(instant, zone) {
    const p = parts(new Date(instant).getTime(), zone);
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}
export const NEW_YORK = 'America/New_York';
