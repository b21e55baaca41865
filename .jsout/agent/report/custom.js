// Custom reports: a user's own SELECT over reports.*, saved under a name (a report_defined
// event per version) and run like any other report into a ReportDocument. The text passes
// the parser fence (fence.ts) when it is saved and again every time it runs; then the
// database fence, reports.run_custom_query, runs it as blotter_custom (blotter_bi's rights
// only, no way to change role) in a READ ONLY transaction with a statement_timeout and a
// row cap.
//
// Driver: postgres.js, for reads too. A run first asks the server to describe the statement
// (Parse/Describe, nothing executes): that is how named parameters get their types (the
// server infers :from as date from `trade_date >= :from`) so they are bound as values, never
// spliced into the text, and how the result's columns get their types even when no row
// comes back. slonik (through pg) has no describe, and its result fields would only show
// run_custom_query's single text column.
import postgres from 'postgres';
import { BlotterError } from "../errors.js";
import { parseExact } from "../ledger/json.js";
import { fence } from "./fence.js";
import { GENERATOR } from "./model.js";
export const DEFAULT_MAX_ROWS = 10_000;
export const MAX_MAX_ROWS = 1_000_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 600_000;
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
// PostgreSQL error codes a custom run maps to a message.
const PGC = {
    QUERY_CANCELED: '57014', PROGRAM_LIMIT_EXCEEDED: '54000', INSUFFICIENT_PRIVILEGE: '42501', READ_ONLY_SQL_TRANSACTION: '25006',
    INDETERMINATE_DATATYPE: '42P18', UNDEFINED_FUNCTION: '42883',
};
// What blotter_bi may read in reports: the fence checks unqualified names against it.
export async function readCatalog(sql) {
    const rel = await sql `select c.relname from pg_catalog.pg_class c
                         where c.relnamespace = 'reports'::regnamespace and c.relkind in ('r', 'v', 'm', 'p', 'f')
                           and pg_catalog.has_table_privilege('blotter_bi', c.oid, 'select')`;
    const fn = await sql `select distinct p.proname from pg_catalog.pg_proc p
                        where p.pronamespace = 'reports'::regnamespace
                          and pg_catalog.has_function_privilege('blotter_bi', p.oid, 'execute')`;
    return { relations: new Set(rel.map((r) => r.relname)), functions: new Set(fn.map((r) => r.proname)) };
}
function checkName(name) {
    if (!NAME.test(name)) {
        throw new BlotterError('CUSTOM_REPORT_NAME', `report name ${JSON.stringify(name)}: use lower-case letters, digits and _ (at most 63, starting with a letter)`);
    }
}
// Put the statement's $k back as :name in a database message.
function named(message, params) {
    return message.replace(/\$(\d+)/g, (m, k) => (params[Number(k) - 1] ? `:${params[Number(k) - 1]}` : m));
}
// text, varchar, char, numeric, int2/4/8, float4/8, date, time, timestamp, timestamptz,
// interval, bool, and text[], varchar[], numeric[], int4[], int8[], date[].
const PARAM_OIDS = new Set([25, 1043, 1042, 1700, 21, 23, 20, 700, 701, 1082, 1083, 1114, 1184, 1186, 16, 1009, 1015, 1231, 1007, 1016, 1182]);
// Parse and describe the fenced text as the server sees it (search_path reports first, as
// at the run). Nothing executes.
async function describe(tx, f, what) {
    await tx `select pg_catalog.set_config('search_path', 'reports, pg_catalog, pg_temp', true)`;
    let d;
    try {
        d = await tx.unsafe(f.render((k) => `$${k}`)).describe();
    }
    catch (err) {
        const e = err;
        const hint = e.code === PGC.INDETERMINATE_DATATYPE ? ' (cast it, e.g. :from::date)' : '';
        throw new BlotterError('CUSTOM_SQL_INVALID', `${what}: PostgreSQL cannot compile the query: ${named(e.message, f.params)}${hint}`, { cause: err });
    }
    if (d.columns.length === 0)
        throw new BlotterError('CUSTOM_SQL_INVALID', `${what}: the query returns no columns`);
    const seen = new Set();
    for (const c of d.columns) {
        if (seen.has(c.name))
            throw new BlotterError('CUSTOM_SQL_INVALID', `${what}: column name ${c.name} appears twice in the result; give one an alias (AS ...)`);
        seen.add(c.name);
    }
    // A parameter's value is cast to the type the server inferred for it, in the caller's session
    // (to say which parameter is wrong) and in the run: plain types only, never a reg* type
    // whose input reads the catalog.
    d.types.forEach((oid, i) => {
        if (!PARAM_OIDS.has(oid)) {
            throw new BlotterError('CUSTOM_SQL_PARAM', `${what}: parameter :${f.params[i]} would be of type oid ${oid}; parameters may be text, numbers, dates, timestamps, booleans, intervals or arrays of them (cast it, e.g. :${f.params[i]}::text)`);
        }
    });
    const names = d.types.length === 0 ? [] : (await tx `
    select pg_catalog.format_type(t, null) as n from unnest(${`{${d.types.join(',')}}`}::oid[]) with ordinality u(t, i) order by i`).map((r) => r.n);
    return { paramTypes: names, columns: d.columns.map((c) => ({ name: c.name, oid: c.type })) };
}
// A transaction the way custom SQL is run and checked: READ ONLY, with a statement and lock
// timeout, on a connection of its own; always rolled back, and any session-level advisory
// lock the query took is let go before the connection returns to the pool.
async function readOnly(sql, timeoutMs, fn) {
    const conn = await sql.reserve();
    try {
        await conn `begin isolation level repeatable read read only`;
        try {
            await conn `select pg_catalog.set_config('statement_timeout', ${String(timeoutMs)}, true),
                        pg_catalog.set_config('lock_timeout', ${String(Math.min(timeoutMs, 5_000))}, true),
                        pg_catalog.set_config('idle_in_transaction_session_timeout', ${String(timeoutMs + 10_000)}, true)`;
            return await fn(conn);
        }
        finally {
            await conn `rollback`.catch(() => { });
            await conn `select pg_catalog.pg_advisory_unlock_all()`.catch(() => { });
        }
    }
    finally {
        conn.release();
    }
}
function checkLimits(maxRows, timeoutMs) {
    if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_MAX_ROWS) {
        throw new BlotterError('CUSTOM_REPORT_LIMIT', `--max-rows must be a whole number from 1 to ${MAX_MAX_ROWS}, not ${maxRows}`);
    }
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
        throw new BlotterError('CUSTOM_REPORT_LIMIT', `the timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not ${timeoutMs}`);
    }
}
// Save a new version of a report. The text must pass the fence and compile; returns the
// version number (1 for a new name) and the ledger seq of its report_defined event.
export async function defineCustomReport(sql, o) {
    checkName(o.name);
    if (!o.actor || !o.actor.trim())
        throw new BlotterError('CUSTOM_REPORT_ACTOR', `who defines report ${o.name} must be named (actor)`);
    const f = fence(o.sqlText, await readCatalog(sql));
    await readOnly(sql, 10_000, (tx) => describe(tx, f, `report ${o.name}`));
    const [r] = await sql `select name, version, seq::text as seq
                          from reports.define_custom_report(${o.name}, ${o.sqlText}, ${o.description ?? null}, ${`{${f.params.join(',')}}`}::text[], ${o.actor})`;
    return { name: r.name, version: r.version, seq: r.seq };
}
function iso(v) {
    return v instanceof Date ? v.toISOString() : String(v);
}
function toReport(r) {
    return {
        name: r.name, description: r.description ?? null, parameters: JSON.parse(r.parameters), version: r.version,
        definedBy: r.defined_by, definedAt: r.defined_at, sql: r.sql, sha256: r.sha256,
    };
}
// The latest version of a report and every version before it (oldest first).
export async function showCustomReport(sql, name) {
    const rows = await sql `select name, description, pg_catalog.to_json(parameters)::text as parameters, version, defined_by,
                                pg_catalog.to_char(defined_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as defined_at, sql, sha256, previous_sha256,
                                seq::text as seq, stream_seq::text as stream_seq, hash
                           from reports.custom_report_versions where name = ${name} order by version`;
    if (rows.length === 0)
        throw unknownReport(name);
    const versions = rows.map((r) => ({ ...toReport(r), previousSha256: r.previous_sha256 ?? null, seq: r.seq, streamSeq: r.stream_seq, hash: r.hash }));
    const latest = versions[versions.length - 1];
    return { ...toReport(rows[rows.length - 1]), definedAt: latest.definedAt, versions };
}
function unknownReport(name) {
    return new BlotterError('CUSTOM_REPORT_UNKNOWN', `no custom report named ${JSON.stringify(name)} (blotter report list shows them; blotter report define saves one)`);
}
export async function listCustomReports(sql) {
    const rows = await sql `select name, description, pg_catalog.to_json(parameters)::text as parameters, version from reports.custom_reports order by name`;
    return rows.map((r) => ({ name: r.name, description: r.description ?? null, parameters: JSON.parse(r.parameters), version: r.version }));
}
// Report column types from PostgreSQL type OIDs. int8 is an integer while every value is
// a safe JS integer (counts); a column with any value beyond 2^53 becomes decimal (strings).
const OIDS = {
    16: 'boolean', 20: 'integer', 21: 'integer', 23: 'integer', 26: 'integer', 700: 'decimal', 701: 'decimal', 1700: 'decimal',
    1082: 'date', 1114: 'timestamp', 1184: 'timestamp', 1186: 'interval', 114: 'json', 3802: 'json', 1009: 'text[]', 1015: 'text[]',
};
export function columnTypeOf(oid) {
    return OIDS[oid] ?? 'text';
}
// One column's text as run_custom_query sends it (json_each_text of row_to_json, in UTC).
function cell(type, oid, v) {
    if (v === null)
        return null;
    switch (type) {
        case 'boolean': return v === 'true';
        case 'integer': return oid === 20 && !Number.isSafeInteger(Number(v)) ? v : Number(v);
        case 'timestamp': return oid === 1184 ? v.replace(/\+00:00$/, 'Z') : v;
        case 'json': return parseExact(v);
        case 'text[]': return JSON.parse(v);
        default: return v;
    }
}
// Layer 2 alone: run text (with $1[k] for parameter k) through reports.run_custom_query in a
// READ ONLY transaction with a statement_timeout. Named unsafe because it skips the parser
// fence: it is what runCustomReport does after fencing, and what tests call to prove that
// the database refuses escapes on its own.
export async function runQueryUnsafe(sql, text, values, o) {
    checkLimits(o.maxRows, o.timeoutMs);
    return readOnly(sql, o.timeoutMs, async (tx) => {
        const rows = await tx `select reports.run_custom_query(${text}, array(select pg_catalog.jsonb_array_elements_text(${JSON.stringify(values)}::text::jsonb)), ${o.maxRows}) as j`;
        return rows.map((r) => r.j);
    }).catch((err) => { throw runError(err, 'the query', o, []); });
}
function runError(err, what, o, params) {
    if (err instanceof BlotterError)
        return err;
    const e = err;
    const msg = named(e.message ?? String(err), params).replace(/^reports\.run_custom_query: /, '');
    switch (e.code) {
        case PGC.QUERY_CANCELED:
            return new BlotterError('CUSTOM_REPORT_TIMEOUT', `${what} ran longer than ${o.timeoutMs} ms (statement_timeout) and was stopped; narrow it or raise the timeout`, { cause: err });
        case PGC.PROGRAM_LIMIT_EXCEEDED:
            if (/more than \d+ rows/.test(msg))
                return new BlotterError('CUSTOM_REPORT_TOO_MANY_ROWS', `${what} returns more than ${o.maxRows} rows; narrow it or raise --max-rows`, { cause: err });
            break;
        case PGC.INSUFFICIENT_PRIVILEGE:
        case PGC.READ_ONLY_SQL_TRANSACTION:
            return new BlotterError('CUSTOM_REPORT_DENIED', `${what} was refused by the database (it runs as blotter_custom, which reads reports only, in a read-only transaction): ${msg}`, { cause: err });
    }
    return new BlotterError('CUSTOM_REPORT_FAILED', `${what} failed in the database: ${msg}${e.code ? ` [${e.code}]` : ''}`, { cause: err });
}
// Run a saved report with its parameters into a ReportDocument with one table.
export async function runCustomReport(sql, o) {
    checkName(o.name);
    const maxRows = o.maxRows ?? DEFAULT_MAX_ROWS;
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    checkLimits(maxRows, timeoutMs);
    const what = `custom report ${o.name}`;
    const [def] = await sql `select name, description, pg_catalog.to_json(parameters)::text as parameters, version, sql from reports.custom_reports where name = ${o.name}`;
    if (!def)
        throw unknownReport(o.name);
    // The fence again: the text was checked when saved, but the rules or the catalog may have
    // tightened since.
    const f = fence(def.sql, await readCatalog(sql));
    const given = o.params ?? {};
    for (const k of Object.keys(given)) {
        if (!f.params.includes(k)) {
            throw new BlotterError('CUSTOM_REPORT_PARAM', `${what} has no parameter ${k}` +
                (f.params.length ? ` (its parameters: ${f.params.map((p) => `:${p}`).join(', ')})` : ' (it takes none)'));
        }
    }
    const missing = f.params.filter((p) => given[p] === undefined);
    if (missing.length) {
        throw new BlotterError('CUSTOM_REPORT_PARAM', `${what} needs a value for ${missing.map((p) => `:${p}`).join(', ')} (--param ${missing[0]}=...)`);
    }
    const values = f.params.map((p) => given[p]);
    const generatedAt = new Date().toISOString();
    const { described, meta, rows } = await readOnly(sql, timeoutMs, async (tx) => {
        const d = await describe(tx, f, what);
        // Each value must be of its inferred type: say which parameter is wrong, not just that
        // some date somewhere did not parse.
        for (const [i, p] of f.params.entries()) {
            await tx `savepoint param`;
            try {
                await tx.unsafe(`select cast($1::text as ${d.paramTypes[i]})`, [values[i]]);
                await tx `release savepoint param`;
            }
            catch (err) {
                await tx `rollback to savepoint param`;
                throw new BlotterError('CUSTOM_REPORT_PARAM', `${what}: parameter :${p} = ${JSON.stringify(values[i])} is not a valid ${d.paramTypes[i]}: ${err.message}`, { cause: err });
            }
        }
        const m = await metaFacts(tx, f.reads);
        const runText = f.render((k) => `cast($1[${k}] as ${d.paramTypes[k - 1]})`);
        let r;
        try {
            r = await tx `select reports.run_custom_query(${runText}, array(select pg_catalog.jsonb_array_elements_text(${JSON.stringify(values)}::text::jsonb)), ${maxRows}) as j`;
        }
        catch (err) {
            throw runError(err, what, { maxRows, timeoutMs }, f.params);
        }
        return { described: d, meta: m, rows: r.map((x) => JSON.parse(x.j)) };
    }).catch((err) => { throw runError(err, what, { maxRows, timeoutMs }, f.params); });
    const columns = described.columns.map((c) => ({ name: c.name, type: columnTypeOf(c.oid) }));
    // An int8 column holding a value beyond 2^53 is a decimal column (exact strings).
    described.columns.forEach((c, i) => {
        if (c.oid === 20 && rows.some((r) => r[i] !== null && !Number.isSafeInteger(Number(r[i]))))
            columns[i].type = 'decimal';
    });
    const table = rows.map((r) => {
        const row = {};
        columns.forEach((c, i) => { row[c.name] = cell(c.type, described.columns[i].oid, r[i] ?? null); });
        return row;
    });
    const title = def.description ?? o.name;
    return {
        meta: {
            report: `custom:${o.name}`, title, parameters: { ...given }, generatedAt, generator: o.generator ?? GENERATOR,
            freshness: meta.freshness, ledgerThroughSeq: meta.ledgerThroughSeq, chain: meta.chain,
        },
        headlines: [],
        charts: [],
        tables: [{ name: o.name, title, ...(def.description ? { description: def.description } : {}), columns, rows: table }],
    };
}
// Names of functions that read a materialized report under another name.
const READS_MATERIALIZED = { equity: 'equity_daily', execution: 'execution_quality', performance: 'equity_daily' };
async function metaFacts(tx, reads) {
    const names = [...new Set([...reads, ...reads.map((r) => READS_MATERIALIZED[r]).filter((x) => !!x)])];
    // Each fact only for a caller who may read it (the owner, the CLI's login); the agent's
    // role reads none of them, and its file says so (empty, null) rather than failing.
    const [may] = await tx `select pg_catalog.has_table_privilege('reports.refreshes', 'select') as refreshes,
                                pg_catalog.has_table_privilege('reports.chain_status', 'select') as chain,
                                pg_catalog.has_function_privilege('reports.ledger_head()', 'execute') as ledger`;
    const fr = !may.refreshes ? [] : await tx `
    select name, pg_catalog.to_char(refreshed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as refreshed_at, events_through_seq::text as seq
      from reports.refreshes where name in (select pg_catalog.jsonb_array_elements_text(${JSON.stringify(names)}::text::jsonb)) order by position`;
    const [head] = may.ledger ? await tx `select seq::text as seq from reports.ledger_head()` : [{ seq: null }];
    const ch = !may.chain ? [] : await tx `select stream, pg_catalog.to_char(verified_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as verified_at, ok, rows_since::text as rows_since
                        from reports.chain_status order by stream`;
    return {
        freshness: fr.map((r) => ({ name: r.name, refreshedAt: iso(r.refreshed_at), eventsThroughSeq: r.seq ?? null })),
        ledgerThroughSeq: head?.seq ?? null,
        chain: ch.map((r) => ({ stream: r.stream, verifiedAt: r.verified_at ?? null, ok: r.ok ?? null, rowsSince: r.rows_since === null ? null : Number(r.rows_since) })),
    };
}
