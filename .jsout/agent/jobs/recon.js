import { BlotterError } from "../errors.js";
import { addDays, calendarOf, decide, describe, utcDate } from "./schedule.js";
// The SQL functions a reconciliation calls; another engineer writes them (issue 8).
export const RECON_FUNCTIONS = ['recon.accounts()', 'recon.reconcile(text, timestamptz, text)'];
// The calendar rows a decision needs: the minute's own day, and enough days after it to
// find the next session (the longest run of closed days since 2001 is 6: September 2001).
const CALENDAR_DAYS_BEFORE = 7;
const CALENDAR_DAYS_AFTER = 35;
// More accounts than this in one run is a misconfiguration, not a workload.
export const MAX_ACCOUNTS = 1000;
// The SQL wiring. `sql` is the agent's pool (role blotter_agent); a reconciliation may
// outlast the pool's statement timeout (a weekly replay), so it gets its own.
export function sqlDeps(sql, log, opts) {
    return {
        log,
        missing: async () => {
            const rows = await sql `select f from unnest(${RECON_FUNCTIONS}::text[]) with ordinality as u (f, n)
                              where to_regprocedure(f) is null order by n`;
            return rows.map((r) => r.f);
        },
        accounts: async () => (await sql `select account from recon.accounts()`).map((r) => r.account),
        reconcile: async (account, asOf, scope) => {
            await sql.begin(async (tx) => {
                await tx `select set_config('statement_timeout', ${String(opts.reconTimeoutMs)}, true)`;
                await tx `select * from recon.reconcile(${account}, ${asOf.toISOString()}::timestamptz, ${scope})`;
            });
        },
        sessions: async (from, to) => {
            // recon.market_sessions rather than the view recon.market_calendar: the view ends
            // with 2030, the function does not.
            const rows = await sql `select day::text as day, is_open, kind, open_at, close_at, reason
                               from recon.market_sessions(${from}::date, ${to}::date)`;
            return rows.map(sessionOf);
        },
    };
}
// A row of recon.market_calendar / recon.market_sessions (day selected as text).
export function sessionOf(r) {
    return {
        day: r.day, isOpen: r.is_open, kind: r.kind,
        openAt: r.open_at, closeAt: r.close_at, reason: r.reason,
    };
}
// The minute a scheduled job stands for: the cron tick that made it (kept in the payload,
// so a retry or a late start is still judged by its own minute; job.run_at moves on
// retry), or `at` for a job added by hand, or when it was created.
export function scheduledAt(payload, job) {
    const p = (payload ?? {});
    const ts = p._cron?.ts ?? p.at;
    if (ts === undefined)
        return job.created_at;
    const at = typeof ts === 'string' ? new Date(ts) : new Date(NaN);
    if (Number.isNaN(at.getTime()))
        throw new BlotterError('RECON_PAYLOAD', `scheduled recon job: time ${JSON.stringify(ts)} is not an ISO timestamp`);
    return at;
}
// Reconcile the accounts as of `asOf`. Missing SQL functions are logged and the job
// completes: retrying cannot create them, and the next run will find them once deployed.
// A failing account does not stop the others; the job then fails (and is retried up to its
// max_attempts), naming them. A retry runs every account again.
async function reconcileAccounts(deps, scope, asOf, only, job) {
    const missing = await deps.missing();
    if (missing.length) {
        deps.log.error({ job, scope, as_of: asOf.toISOString(), missing }, `recon ${scope} skipped: ${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not exist in the database yet`);
        return;
    }
    const accounts = only === null ? await deps.accounts() : [only];
    if (accounts.length > MAX_ACCOUNTS) {
        throw new BlotterError('RECON_ACCOUNTS', `recon ${scope}: recon.accounts() returned ${accounts.length} accounts, more than ${MAX_ACCOUNTS}`);
    }
    const failed = [];
    for (const account of accounts) {
        const started = Date.now();
        try {
            await deps.reconcile(account, asOf, scope);
            deps.log.info({ job, scope, account, as_of: asOf.toISOString(), ms: Date.now() - started }, `recon ${scope} done for ${account}`);
        }
        catch (err) {
            failed.push(`${account}: ${err.message}`);
            deps.log.error({ job, scope, account, as_of: asOf.toISOString(), err: err.message }, `recon ${scope} failed for ${account}`);
        }
    }
    if (failed.length) {
        throw new BlotterError('RECON_FAILED', `recon ${scope} as of ${asOf.toISOString()} failed for ${failed.length} of ${accounts.length} accounts: ${failed.join('; ')}`);
    }
}
// A scheduled kind: the job's minute is checked against the calendar, the decision logged,
// and the accounts reconciled as of that minute when the kind is due.
export function scheduledTask(kind, deps) {
    const name = `recon_${kind}`;
    return async (payload, helpers) => {
        let at;
        try {
            at = scheduledAt(payload, helpers.job);
        }
        catch (err) {
            // No retry can fix a payload: say so and complete.
            deps.log.error({ job: name, job_id: helpers.job.id, payload, err: err.message }, `${name}: job dropped`);
            return;
        }
        const day = utcDate(at);
        const calendar = calendarOf(await deps.sessions(addDays(day, -CALENDAR_DAYS_BEFORE), addDays(day, CALENDAR_DAYS_AFTER)));
        const decision = decide(at, calendar);
        const acting = decision.due.includes(kind);
        const backfilled = Boolean(payload?._cron?.backfilled);
        deps.log.info({ job: name, job_id: helpers.job.id, at: decision.minute.toISOString(), day: decision.session.day, session: decision.session.kind, due: decision.due, acting, backfilled }, `${name}: ${describe(decision)}`);
        if (acting)
            await reconcileAccounts(deps, kind, decision.minute, null, name);
    };
}
// After a fill: reconcile the fill's account as of the job's run_at, 5 s after the last
// fill of the burst (db/functions/151_recon_after_fill.sql). run_at is the database's
// clock and is never ahead of it when the job runs, so no clock skew between the agent
// and the server can put as_of in the future. A retry moves run_at, and as_of with it.
export function afterFillTask(deps) {
    return async (payload, helpers) => {
        const account = payload?.account;
        if (typeof account !== 'string' || account === '') {
            // No retry can fix a payload: say so and complete.
            deps.log.error({ job: 'recon_after_fill', job_id: helpers.job.id, payload }, 'recon_after_fill: payload has no account; job dropped');
            return;
        }
        await reconcileAccounts(deps, 'after_fill', helpers.job.run_at, account, 'recon_after_fill');
    };
}
