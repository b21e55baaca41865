import { BlotterError } from "../errors.js";
import { FlexServiceError } from "../flex/webservice.js";
import { scheduledAt } from "./recon.js";
import { addDays, calendarOf } from "./schedule.js";
import { NEW_YORK, wallClock } from "../zone.js";
export const TASK = 'flex_fetch';
export const FETCH_HOUR_NY = 7;
// Whether the tick is 07:00 New York on an open day, and which days it fetches: from the
// `sessions`-th session back to yesterday (Monday: Friday to Sunday; the day after a
// holiday: the session before it to the holiday). Reaching back several sessions, a morning the agent missed (down, or IB refusing) is
// fetched again by the next ones, and what was already imported adds nothing.
export function flexFetchDecision(tick, cal, sessions = 1) {
    const { date: today, time } = wallClock(tick, NEW_YORK);
    const [hour, minute] = time.split(':');
    const no = (why) => ({ due: false, day: null, from: null, why });
    if (+hour !== FETCH_HOUR_NY || +minute !== 0)
        return no(`${hour}:${minute} New York is not ${FETCH_HOUR_NY}:00`);
    const i = cal.index.get(today);
    if (i === undefined)
        return no(`the calendar does not cover ${today}`);
    const s = cal.sessions[i];
    if (!s.isOpen)
        return no(`${today} is ${s.kind}${s.reason ? ` (${s.reason})` : ''}`);
    const before = [];
    for (let j = i - 1; j >= 0 && before.length < sessions; j--)
        if (cal.sessions[j].isOpen)
            before.push(cal.sessions[j].day);
    if (before.length === 0)
        return no(`the calendar holds no session before ${today}`);
    // up to yesterday, not only the last session: weekend and holiday postings (cash, futures
    // and FX trading on an NYSE holiday) are in the statement of those days
    return { due: true, day: addDays(today, -1), from: before.at(-1), why: `${today} is a business day` };
}
export function run(deps) {
    return async (payload, helpers) => {
        const queries = deps.settings.queries;
        if (!deps.settings.fetch_enabled || !deps.settings.token || queries.length === 0) {
            deps.log.info({ job: TASK }, `${TASK}: not configured (flex.fetch_enabled, flex.token and flex.queries), nothing to do`);
            return;
        }
        const at = scheduledAt(payload, helpers.job);
        const ny = wallClock(at, NEW_YORK).date;
        const cal = calendarOf(await deps.recon.sessions(addDays(ny, -(deps.settings.fetch_sessions * 2 + 14)), addDays(ny, 1)));
        const d = flexFetchDecision(at, cal, deps.settings.fetch_sessions);
        deps.log.info({ job: TASK, at: at.toISOString(), due: d.due, from: d.from, day: d.day }, `${TASK}: ${d.why}${d.due ? `: fetching ${d.from === d.day ? d.day : `${d.from} to ${d.day}`}` : ', nothing due'}`);
        if (!d.due)
            return;
        const failed = [];
        const accounts = new Set();
        for (const q of queries) {
            try {
                const r = await deps.fetchAndImport(q, d.from, d.day);
                for (const s of r.imported?.statements ?? [])
                    accounts.add(s.account);
                deps.log.info({ job: TASK, query: q, file: r.file, new: r.imported?.new, known: r.imported?.known }, `${TASK}: query ${q} imported`);
            }
            catch (err) {
                // IB's permanent refusals (token expired or invalid, query unknown, IP restriction)
                // and a statement the importer refuses do not change on retry: logged, not retried
                // (each retry costs IB requests, of which a token has 10 a minute).
                const permanent = (err instanceof FlexServiceError && !err.retryable) || (err instanceof BlotterError && !(err instanceof FlexServiceError));
                if (!permanent)
                    failed.push(`query ${q}: ${err.message}`);
                deps.log.error({ job: TASK, query: q, err: err.message, code: err.code, retried: !permanent }, `${TASK}: query ${q} failed`);
            }
        }
        for (const account of accounts) {
            try {
                await deps.recon.reconcile(account, new Date(), 'statement');
            }
            catch (err) {
                failed.push(`reconcile ${account}: ${err.message}`);
            }
        }
        // graphile-worker retries a failed job (max attempts in the crontab); a query that did
        // land is fetched again then, and its import adds nothing.
        if (failed.length)
            throw new Error(`${TASK} for ${d.from} to ${d.day}: ${failed.join('; ')}`);
    };
}
