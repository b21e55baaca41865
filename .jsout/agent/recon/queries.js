// What the `recon` and `breaks` commands ask of the database: thin calls to the functions
// and views of schema recon, where the logic lives. Rows keep the views' column names
// (snake_case), because `--json` prints them as they are and the README documents them
// under those names; numbers keep their exact digits (each row travels as JSON text and
// is parsed with parseExact), so a quantity of 0.00000001 or a price of 187.2501 is shown
// as recorded, never through a double.
import postgres from 'postgres';
import { BlotterError, PG } from "../errors.js";
import { parseExact } from "../ledger/json.js";
export const STATUSES = ['open', 'acknowledged', 'escalated', 'resolved', 'cleared'];
export const UNRESOLVED = ['open', 'acknowledged', 'escalated'];
// The connection of a person at the command line: their own login, never `set role`
// (so the database alone decides who may review a break), and times in UTC so every
// timestamp prints the same way wherever the server is. Rows come as JSON text and lists
// go as JSON, so no array types are needed (fetch_types off, as for the agent's
// connections: postgres.js's fetch on connect can end the process with an unhandled
// rejection).
export function openCliConnection(url) {
    return postgres(url, {
        max: 1, connect_timeout: 10, idle_timeout: 30, onnotice: () => { }, fetch_types: false,
        connection: { application_name: 'blotter-cli', TimeZone: 'UTC' },
    });
}
function rows(list) {
    return list.map((r) => parseExact(r.j));
}
export async function accounts(sql) {
    return (await sql `select account from recon.accounts()`).map((r) => r.account);
}
// One run: recon.reconcile's rows, one per entity the scope covers.
export async function reconcile(sql, account, asOf, scope) {
    return rows(await sql `
    select row_to_json(r)::text as j from recon.reconcile(${account}, ${asOf}::text::timestamptz, ${scope}) r order by r.entity`);
}
// Breaks, worst first (severity as of now), then by id.
export async function listBreaks(sql, o) {
    return rows(await sql `
    select row_to_json(b)::text as j from recon.breaks b
     where true
       ${o.account !== undefined ? sql `and b.account = ${o.account}` : sql ``}
       ${o.statuses !== undefined ? sql `and b.status in (select jsonb_array_elements_text(${JSON.stringify(o.statuses)}::text::jsonb))` : sql ``}
     order by recon.severity_rank(b.severity_now) desc nulls last, b.account, b.break_id`);
}
export async function getBreak(sql, id) {
    return rows(await sql `select row_to_json(b)::text as j from recon.breaks b where b.break_id = ${id}`)[0] ?? null;
}
export async function breakHistory(sql, id) {
    return rows(await sql `select row_to_json(h)::text as j from recon.break_history h where h.break_id = ${id} order by h.seq`);
}
export function unknownBreak(id) {
    return new BlotterError('BREAK_UNKNOWN', `no break "${id}" (\`blotter breaks list --all\` lists every break by id)`);
}
// recon.review_break's own errors, said for a person at the command line.
const NO_DATA_FOUND = 'P0002';
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';
export async function reviewBreak(sql, id, action, note) {
    try {
        const [r] = await sql `select recon.review_break(${id}, ${action}, ${note}) as status`;
        return r.status;
    }
    catch (err) {
        const e = err;
        if (e.code === PG.INSUFFICIENT_PRIVILEGE) {
            throw new BlotterError('NOT_REVIEWER', 'permission denied: your database user must be a member of blotter_reviewer', { cause: err });
        }
        if (e.code === NO_DATA_FOUND)
            throw unknownBreak(id);
        if (e.code === OBJECT_NOT_IN_PREREQUISITE_STATE)
            throw new BlotterError('BREAK_STATE', e.message.replace(/^recon\.review_break: /, ''), { cause: err });
        throw err;
    }
}
// Reading breaks needs blotter_reviewer or blotter_auditor; the agent's role may only run
// reconciliations. Said plainly instead of "permission denied for view breaks".
export function cannotRead(err) {
    if (err.code !== PG.INSUFFICIENT_PRIVILEGE)
        return null;
    return new BlotterError('NOT_REVIEWER', 'permission denied: your database user must be a member of blotter_reviewer or blotter_auditor to read breaks', { cause: err });
}
