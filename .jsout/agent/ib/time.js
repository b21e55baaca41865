// Execution times as TWS sends them, to UTC ISO strings:
//   "20200114  11:08:15"             TWS local time (two spaces), zone from configuration
//   "20250820 09:30:01 US/Eastern"   local time with the zone named
//   "20231214-20:57:37"              UTC
// Zone names go through Intl (tz database), so daylight saving is right on both sides.
import { zonedToUtc } from "../zone.js";
const ALIASES = { EST: 'America/New_York', EDT: 'America/New_York', 'US/Eastern': 'America/New_York', CST: 'America/Chicago', 'US/Central': 'America/Chicago', MET: 'Europe/Berlin', GMT: 'UTC', UTC: 'UTC' };
export function parseExecTime(text, defaultZone) {
    const t = text.trim();
    let m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/.exec(t);
    if (m)
        return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])).toISOString();
    m = /^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(t);
    if (m) {
        const zone = m[7] ? ALIASES[m[7]] ?? m[7] : defaultZone;
        try {
            return new Date(zonedToUtc(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], zone)).toISOString();
        }
        catch {
            throw new Error(`execution time "${text}": unknown time zone "${zone}"`);
        }
    }
    if (/^\d+$/.test(t))
        return new Date(Number(t) * 1000).toISOString();
    throw new Error(`execution time "${text}" is in no format TWS sends`);
}
