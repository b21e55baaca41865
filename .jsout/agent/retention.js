// The retention section of the config, applied to the database's policies when the agent
// starts: each value is the least a family is kept. A policy shorter than the config is
// lengthened; a longer one is left as it is (shortening is `blotter retention set`, by
// hand, and refused while locked); the families listed under `lock` are locked (a lock is
// never lifted). Every change is a retention_policy_changed event (db/functions/400). A
// login that may not change policies gets a log line saying what was not applied.
import postgres from 'postgres';
import { BlotterError } from "./errors.js";
export const FAMILIES = ['ledger_events', 'ops_logs', 'ops_metrics', 'job_history', 'file_logs'];
export async function applyRetention(url, cfg, log) {
    const sql = postgres(url, { max: 1, onnotice: () => { }, connect_timeout: 10 });
    const changed = [];
    try {
        // one query for the comparison (agent start-up), a call only for what changes
        const wanted = FAMILIES.map((f) => cfg[f]);
        const rows = await sql `
      select p.family, p.keep < w.keep::interval as shorter, p.locked, p.keep::text as keep
        from unnest(${FAMILIES}::text[], ${wanted}::text[]) w(family, keep)
        join retention.policies p on p.family = w.family`;
        for (const family of FAMILIES) {
            const lock = cfg.lock.includes(family);
            const r = rows.find((x) => x.family === family);
            if (!r)
                continue;
            if (!r.shorter && (r.locked || !lock))
                continue;
            const keep = r.shorter ? cfg[family] : r.keep;
            try {
                await sql `select * from retention.set_policy(${family}, ${keep}::interval, ${lock ? true : null})`;
            }
            catch (err) {
                // a login without the owner's rights (a least-privilege deployment): the records are
                // still kept as the database says; the config waits for the owner
                if (err.code !== '42501')
                    throw new BlotterError('RETENTION', `config retention.${family}: ${err.message}`, { cause: err });
                log(`config retention.${family} (${keep}${lock ? ', locked' : ''}) not applied: ${err.message}; run blotter retention set as the database owner`, { family });
                continue;
            }
            changed.push(family);
            log(`retention ${family}: keep ${keep}${lock ? ', locked' : ''} (from the config)`, { family, keep, locked: lock || r.locked });
        }
    }
    finally {
        await sql.end({ timeout: 5 });
    }
    return changed;
}
