// Personal data (db/functions/015_ledger_personal_data.sql): the privacy section of the
// config, applied to privacy.fields when the agent starts (set_fields records any change
// as a privacy_fields_changed event), and `blotter erase-subject`. The encryption itself is
// the database's, in the insert triggers, so every writer is covered.
import postgres from 'postgres';
import { BlotterError } from "./errors.js";
const INSUFFICIENT_PRIVILEGE = '42501';
// As the login user, like applyRetention: the agent's pool (role blotter_agent) may not.
export async function applyPrivacy(url, cfg, log) {
    const sql = postgres(url, { max: 1, onnotice: () => { }, connect_timeout: 10 });
    try {
        const [r] = await sql `select privacy.set_fields(${cfg.fields}::text[]) as changed`;
        if (r.changed)
            log(`personal-data fields: ${cfg.fields.join(', ') || 'none'} (from the config)`, { fields: cfg.fields });
        return r.changed;
    }
    catch (err) {
        // a login without the owner's rights: the database keeps the fields it has
        if (err.code !== INSUFFICIENT_PRIVILEGE)
            throw new BlotterError('PRIVACY', `config privacy.fields: ${err.message}`, { cause: err });
        log(`config privacy.fields not applied: ${err.message}; start the agent as a login that is a member of blotter_owner`);
        return false;
    }
    finally {
        await sql.end({ timeout: 5 });
    }
}
// Erase each subject (an identifier as recorded, or a subject id), all or none: one that is
// not found refuses the lot. Then VACUUM FULL the key table, so the destroyed keys do not
// linger in dead tuples (it is small; the lock is brief); a login that may not is told.
export async function eraseSubjects(sql, ids, reason, warn) {
    const done = await sql.begin(async (tx) => {
        const out = [];
        for (const id of ids) {
            try {
                const [r] = await tx `select subject_id::text, status, events::text, logs::text, seq::text from privacy.erase_subject(${id}, ${reason})`;
                out.push({ id, subjectId: r.subject_id, status: r.status, events: r.events, logs: r.logs, seq: r.seq });
            }
            catch (err) {
                const e = err;
                // said here with the identifier, which the database's message leaves out
                if (e.code === 'P0002')
                    throw new BlotterError('NO_SUBJECT', `no subject "${id}": never recorded, or erased already (an erased subject is found by its subject id only); nothing was erased`);
                if (e.code === '22023')
                    throw new BlotterError('ERASE_REFUSED', `${e.message.replace(/^privacy\.erase_subject: /, '')}; nothing was erased`);
                throw err;
            }
        }
        return out;
    });
    if (done.some((d) => d.status === 'erased')) {
        try {
            await sql `vacuum full privacy.subject_keys`;
        }
        catch (err) {
            warn(`erased, but VACUUM FULL privacy.subject_keys failed (${err.message}): the destroyed keys stay in dead tuples until the table is vacuumed; run it as the database owner`);
        }
    }
    return done;
}
