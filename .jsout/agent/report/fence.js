// Layer 1 of the custom-report fence: the text a user saves as a report must be exactly one
// SELECT (CTEs, UNION and subqueries allowed) over schema reports, calling only functions
// on an allowlist, with named parameters (:from, :account) that the driver binds. Layer 2
// is the database (reports.run_custom_query: a role that reads reports and nothing else,
// a read-only transaction, a statement timeout, a row cap); this layer exists to refuse
// early, with a message that names what and where, and to make a second line behind it.
//
// Two passes. A lexer that follows PostgreSQL's own rules (nested block comments, E''
// strings, dollar quotes, standard_conforming_strings on) finds comments, strings,
// identifiers, parameters and semicolons; comments are blanked out, so the text node-sql-
// parser checks is the text PostgreSQL runs, and no comment can hide anything from either.
// Then node-sql-parser's AST (PostgreSQL dialect) is walked for relations, functions and
// casts.
import nodeSqlParser from 'node-sql-parser';
import { BlotterError } from "../errors.js";
const { Parser } = nodeSqlParser;
export const MAX_SQL_BYTES = 65_536;
// Functions a report may call by their bare name: aggregates, window functions, math,
// strings, dates and times, JSON and arrays, conditionals. Nothing that reads files or
// other schemas, sets configuration, sleeps, locks, or touches sequences or large objects.
export const ALLOWED_FUNCTIONS = new Set([
    // aggregates
    'count', 'sum', 'avg', 'min', 'max', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop',
    'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg',
    'percentile_cont', 'percentile_disc', 'mode', 'corr', 'covar_pop', 'covar_samp', 'regr_slope', 'regr_intercept', 'regr_r2',
    'regr_count', 'regr_avgx', 'regr_avgy', 'regr_sxx', 'regr_syy', 'regr_sxy', 'any_value',
    // window functions
    'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
    // math
    'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10', 'power', 'pow', 'mod',
    'div', 'scale', 'min_scale', 'trim_scale', 'width_bucket', 'pi', 'degrees', 'radians', 'gcd', 'lcm', 'greatest', 'least',
    // strings
    'length', 'char_length', 'character_length', 'octet_length', 'lower', 'upper', 'initcap', 'btrim', 'ltrim', 'rtrim', 'trim',
    'substr', 'substring', 'left', 'right', 'lpad', 'rpad', 'replace', 'split_part', 'concat', 'concat_ws', 'position', 'strpos',
    'starts_with', 'regexp_replace', 'regexp_match', 'regexp_like', 'regexp_split_to_array', 'translate', 'reverse', 'format',
    'to_char', 'to_number', 'to_date', 'to_timestamp', 'md5', 'quote_literal', 'quote_nullable',
    // dates and times
    'now', 'date_trunc', 'date_part', 'extract', 'make_date', 'make_time', 'make_interval', 'make_timestamp', 'make_timestamptz',
    'age', 'justify_days', 'justify_hours', 'justify_interval', 'date_bin', 'timezone', 'isfinite', 'statement_timestamp',
    'transaction_timestamp', 'generate_series',
    // conditionals and predicates the parser shows as calls
    'coalesce', 'nullif', 'exists', 'any', 'some', 'all',
    // JSON
    'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'to_json', 'to_jsonb', 'jsonb_typeof',
    'json_typeof', 'jsonb_array_length', 'json_array_length', 'jsonb_extract_path', 'jsonb_extract_path_text',
    'json_extract_path', 'json_extract_path_text', 'jsonb_array_elements', 'jsonb_array_elements_text', 'json_array_elements',
    'json_array_elements_text', 'jsonb_each', 'jsonb_each_text', 'json_each', 'json_each_text', 'jsonb_object_keys',
    'json_object_keys', 'jsonb_strip_nulls', 'jsonb_pretty',
    // arrays
    'array_length', 'cardinality', 'unnest', 'array_position', 'array_to_string', 'array_remove', 'array_append', 'array_prepend',
    'array_cat', 'array_lower', 'array_upper', 'string_to_array',
]);
// SQL keywords the parser shows as calls without parentheses.
const ALLOWED_KEYWORD_CALLS = new Set([
    'current_date', 'current_timestamp', 'current_time', 'localtime', 'localtimestamp',
]);
// Functions in reports that a report must not call even though they live there: they
// write (refresh, record a verification, define a report) or run other SQL. The database
// refuses them too (blotter_bi may not execute them).
const DENIED_REPORTS_FUNCTIONS = new Set([
    'refresh', 'request_refresh', 'materialize', 'record_chain_verification', 'run_custom_query', 'define_custom_report',
]);
// Types a value may be cast to. Not the reg* types (they read the catalog) nor anything
// outside pg_catalog's plain scalars.
const ALLOWED_CAST_TYPES = new Set([
    'text', 'varchar', 'character varying', 'char', 'character', 'bpchar', 'numeric', 'decimal', 'int', 'integer', 'int2',
    'int4', 'int8', 'smallint', 'bigint', 'real', 'double precision', 'double', 'float', 'float4', 'float8', 'boolean', 'bool',
    'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'json', 'jsonb', 'uuid',
]);
// Words that start a statement other than a query: refused where a statement or a CTE
// body would start, naming the word.
const STATEMENT_WORDS = new Set([
    'insert', 'update', 'delete', 'merge', 'copy', 'do', 'execute', 'call', 'set', 'reset', 'grant', 'revoke', 'create', 'alter',
    'drop', 'truncate', 'prepare', 'deallocate', 'declare', 'fetch', 'move', 'close', 'listen', 'notify', 'unlisten', 'lock',
    'vacuum', 'analyze', 'analyse', 'explain', 'begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release',
    'load', 'discard', 'checkpoint', 'cluster', 'reindex', 'refresh', 'security', 'import', 'comment', 'show', 'table', 'values',
]);
const DATA_MODIFYING = new Set(['insert', 'update', 'delete', 'merge']);
export function whereAt(text, offset) {
    let line = 1;
    let col = 1;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text[i] === '\n') {
            line++;
            col = 1;
        }
        else
            col++;
    }
    return { line, col };
}
function refuse(code, what, text, offset) {
    const at = offset === null ? '' : (() => { const w = whereAt(text, offset); return ` (line ${w.line}, column ${w.col})`; })();
    throw new BlotterError(code, `custom report refused: ${what}${at}`);
}
const isIdentStart = (c) => c !== undefined && /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentCont = (c) => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
// PostgreSQL's lexical rules, as far as the fence needs them. Comments become spaces (their
// newlines kept, so positions still point at the user's text).
export function lex(input) {
    const out = input.split('');
    const tokens = [];
    const n = input.length;
    let i = 0;
    const blank = (from, to) => { for (let k = from; k < to; k++)
        if (out[k] !== '\n')
            out[k] = ' '; };
    while (i < n) {
        const c = input[i];
        const d = input[i + 1];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        if (c === '-' && d === '-') {
            const start = i;
            while (i < n && input[i] !== '\n' && input[i] !== '\r')
                i++;
            blank(start, i);
            continue;
        }
        if (c === '/' && d === '*') {
            // Block comments nest in PostgreSQL (unlike the SQL standard and many tools).
            const start = i;
            let depth = 0;
            while (i < n) {
                if (input[i] === '/' && input[i + 1] === '*') {
                    depth++;
                    i += 2;
                    continue;
                }
                if (input[i] === '*' && input[i + 1] === '/') {
                    depth--;
                    i += 2;
                    if (depth === 0)
                        break;
                    continue;
                }
                i++;
            }
            if (depth !== 0)
                refuse('CUSTOM_SQL_LEX', 'a block comment is never closed (comments nest in PostgreSQL: /* /* */ needs two */)', input, start);
            blank(start, i);
            continue;
        }
        if (c === "'") {
            i = lexString(input, i, false, tokens, i);
            continue;
        }
        if (c === '"') {
            const start = i;
            i++;
            for (;;) {
                if (i >= n)
                    refuse('CUSTOM_SQL_LEX', 'a quoted identifier is never closed', input, start);
                if (input[i] === '"') {
                    if (input[i + 1] === '"') {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
            tokens.push({ kind: 'qident', text: input.slice(start, i), start, end: i });
            continue;
        }
        if (c === '$') {
            if (d !== undefined && /[0-9]/.test(d)) {
                const start = i;
                i++;
                while (i < n && /[0-9]/.test(input[i]))
                    i++;
                tokens.push({ kind: 'positional', text: input.slice(start, i), start, end: i });
                continue;
            }
            // dollar quote: $$...$$ or $tag$...$tag$
            const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(input.slice(i));
            if (m) {
                const start = i;
                const close = input.indexOf(m[0], i + m[0].length);
                if (close < 0)
                    refuse('CUSTOM_SQL_LEX', `a dollar-quoted string (${m[0]}) is never closed`, input, start);
                i = close + m[0].length;
                tokens.push({ kind: 'string', text: input.slice(start, i), start, end: i });
                continue;
            }
            tokens.push({ kind: 'op', text: c, start: i, end: i + 1 });
            i++;
            continue;
        }
        if (isIdentStart(c)) {
            const start = i;
            while (i < n && isIdentCont(input[i]))
                i++;
            const word = input.slice(start, i);
            const lower = word.toLowerCase();
            // U&'...' and U&"...": Unicode escapes can spell any name; refused, not decoded.
            if (lower === 'u' && input[i] === '&' && (input[i + 1] === "'" || input[i + 1] === '"')) {
                refuse('CUSTOM_SQL_UNICODE', `Unicode escapes (${input.slice(start, i + 2)}...) are not allowed: write the name or text plainly`, input, start);
            }
            // E'...' (backslash escapes), B'...', X'...', N'...': one letter right before a quote.
            if (word.length === 1 && /[eEbBxXnN]/.test(word) && input[i] === "'") {
                i = lexString(input, i, lower === 'e', tokens, start);
                continue;
            }
            tokens.push({ kind: 'word', text: word, word: lower, start, end: i });
            continue;
        }
        if (/[0-9]/.test(c) || (c === '.' && d !== undefined && /[0-9]/.test(d))) {
            const start = i;
            while (i < n && /[0-9A-Za-z_.]/.test(input[i])) {
                // 1e-5, 1E+5
                if ((input[i] === 'e' || input[i] === 'E') && (input[i + 1] === '-' || input[i + 1] === '+'))
                    i++;
                i++;
            }
            tokens.push({ kind: 'number', text: input.slice(start, i), start, end: i });
            continue;
        }
        if (c === ':' && d === ':') {
            tokens.push({ kind: 'op', text: '::', start: i, end: i + 2 });
            i += 2;
            continue;
        }
        if (c === ':' && isIdentStart(d)) {
            const start = i;
            i++;
            while (i < n && isIdentCont(input[i]))
                i++;
            tokens.push({ kind: 'param', text: input.slice(start, i), word: input.slice(start + 1, i).toLowerCase(), start, end: i });
            continue;
        }
        if (c === ';') {
            tokens.push({ kind: 'semicolon', text: ';', start: i, end: i + 1 });
            i++;
            continue;
        }
        tokens.push({ kind: 'op', text: c, start: i, end: i + 1 });
        i++;
    }
    return { tokens, text: out.join('') };
}
// A string literal from its opening quote; `escapes`: an E'' string, where a backslash
// escapes the next character. Adjacent quotes ('') are one quote in every kind.
function lexString(input, quote, escapes, tokens, start) {
    let i = quote + 1;
    for (;;) {
        if (i >= input.length)
            refuse('CUSTOM_SQL_LEX', 'a string literal is never closed', input, start);
        const ch = input[i];
        if (escapes && ch === '\\') {
            i += 2;
            continue;
        }
        if (ch === "'") {
            if (input[i + 1] === "'") {
                i += 2;
                continue;
            }
            i++;
            break;
        }
        i++;
    }
    tokens.push({ kind: 'string', text: input.slice(start, i), start, end: i });
    return i;
}
const lowerName = (v) => (typeof v === 'string' ? v.toLowerCase() : null);
// The name of a function node: node-sql-parser 5 writes { name: [{ value }], schema?: { value } }
// for calls and a plain string for aggregates and window functions.
function functionName(node) {
    const n = node.name;
    if (typeof n === 'string')
        return { schema: null, name: n.toLowerCase(), keyword: false };
    const o = n;
    const parts = (o?.name ?? []).map((p) => String(p.value ?? '').toLowerCase());
    const keyword = (o?.name ?? []).some((p) => p.type === 'origin');
    const schema = lowerName(o?.schema?.value);
    if (parts.length > 1)
        return { schema: parts.slice(0, -1).join('.'), name: parts[parts.length - 1], keyword };
    return { schema, name: parts[0] ?? '', keyword };
}
// Check one SELECT and return what the run needs. Throws BlotterError naming what was
// refused and where.
export function fence(sqlText, catalog) {
    if (Buffer.byteLength(sqlText, 'utf8') > MAX_SQL_BYTES) {
        refuse('CUSTOM_SQL_TOO_LONG', `the query is ${Buffer.byteLength(sqlText, 'utf8')} bytes; at most ${MAX_SQL_BYTES}`, sqlText, null);
    }
    if (sqlText.includes('\u0000'))
        refuse('CUSTOM_SQL_LEX', 'the text contains a NUL character', sqlText, sqlText.indexOf('\u0000'));
    const { tokens, text } = lex(sqlText);
    let toks = tokens;
    // one trailing semicolon is fine; any other starts a second statement
    if (toks.length && toks[toks.length - 1].kind === 'semicolon')
        toks = toks.slice(0, -1);
    const semi = toks.find((t) => t.kind === 'semicolon');
    if (semi) {
        refuse('CUSTOM_SQL_MULTIPLE', 'more than one statement: a custom report is exactly one SELECT, and a second statement starts after the semicolon', sqlText, semi.start);
    }
    if (toks.length === 0)
        refuse('CUSTOM_SQL_EMPTY', 'the query is empty (only comments or whitespace)', sqlText, null);
    const first = toks[0];
    if (!(first.kind === 'word' && (first.word === 'select' || first.word === 'with')) && !(first.kind === 'op' && first.text === '(')) {
        const what = first.kind === 'word' ? first.word.toUpperCase() : first.text;
        refuse('CUSTOM_SQL_NOT_SELECT', `the statement starts with ${what}; a custom report is one SELECT (or WITH ... SELECT)`, sqlText, first.start);
    }
    for (let k = 0; k < toks.length; k++) {
        const t = toks[k];
        const prev = toks[k - 1];
        const next = toks[k + 1];
        if (t.kind === 'positional') {
            refuse('CUSTOM_SQL_POSITIONAL', `positional parameter ${t.text}: name parameters instead (:from, :account); blotter binds them`, sqlText, t.start);
        }
        if (t.kind === 'qident' && !(prev?.kind === 'word' && prev.word === 'as')) {
            refuse('CUSTOM_SQL_QUOTED', `quoted identifier ${t.text}: write names unquoted (lower case); quotes are allowed only for a column alias after AS`, sqlText, t.start);
        }
        if (t.kind !== 'word')
            continue;
        const w = t.word;
        if (w === 'into')
            refuse('CUSTOM_SQL_INTO', 'SELECT ... INTO creates a table; a custom report only reads', sqlText, t.start);
        if (w === 'for' && next?.kind === 'word' && ['update', 'share', 'no', 'key'].includes(next.word)) {
            refuse('CUSTOM_SQL_LOCKING', `FOR ${next.word.toUpperCase()} locks rows; a custom report only reads`, sqlText, t.start);
        }
        if (prev?.kind === 'op' && prev.text === '(' && STATEMENT_WORDS.has(w) && w !== 'values' && w !== 'table') {
            const kind = DATA_MODIFYING.has(w) ? 'a data-modifying statement' : 'a statement';
            refuse('CUSTOM_SQL_NOT_SELECT', `${kind} (${w.toUpperCase()}) inside the query; a custom report is one SELECT`, sqlText, t.start);
        }
        if (w === 'operator' && next?.kind === 'op' && next.text === '(') {
            refuse('CUSTOM_SQL_OPERATOR', 'OPERATOR(schema.op) names an operator by schema; use the operator itself', sqlText, t.start);
        }
    }
    // A trailing semicolon (and whatever whitespace follows it) is not part of what runs.
    const lastTok = toks[toks.length - 1];
    const checked = text.slice(0, lastTok.end);
    let ast;
    let tableList = [];
    try {
        const parser = new Parser();
        ast = parser.astify(checked, { database: 'postgresql' });
        tableList = parser.tableList(checked, { database: 'postgresql' });
    }
    catch (err) {
        const e = err;
        const loc = e.location?.start;
        const at = loc?.line ? ` at line ${loc.line}, column ${loc.column}` : '';
        throw new BlotterError('CUSTOM_SQL_UNSUPPORTED', `custom report refused: the SQL checker (node-sql-parser, PostgreSQL dialect) could not parse this query${at}. ` +
            'It may be valid PostgreSQL that the checker does not know (for example dollar-quoted strings or VALUES lists); ' +
            `rewrite that part in a more common form. The checker said: ${(e.message ?? String(err)).slice(0, 300)}`, { cause: err });
    }
    const statements = Array.isArray(ast) ? ast : [ast];
    if (statements.length !== 1) {
        refuse('CUSTOM_SQL_MULTIPLE', `${statements.length} statements; a custom report is exactly one SELECT`, sqlText, first.start);
    }
    const root = statements[0];
    if (root.type !== 'select') {
        refuse('CUSTOM_SQL_NOT_SELECT', `a ${String(root.type).toUpperCase()} statement; a custom report is one SELECT`, sqlText, first.start);
    }
    // Where a name the AST refers to first appears in the text (the AST has no positions).
    const at = (...words) => {
        for (let k = 0; k < toks.length; k++) {
            if (words.every((w, j) => toks[k + 2 * j]?.word === w && (j === words.length - 1 || toks[k + 2 * j + 1]?.text === '.')))
                return toks[k].start;
        }
        return null;
    };
    const fail = (code, what, ...words) => refuse(code, what, sqlText, words.length ? at(...words) : null);
    // CTE names anywhere in the query: an unqualified relation with one of these names is the CTE.
    const ctes = new Set();
    const reads = new Set();
    const astParams = new Set();
    const visit = (node) => {
        if (Array.isArray(node)) {
            for (const x of node)
                visit(x);
            return;
        }
        if (node === null || typeof node !== 'object')
            return;
        const o = node;
        if (Array.isArray(o.with)) {
            for (const w of o.with) {
                const name = lowerName(w.name?.value) ?? '';
                if (name.startsWith('pg_'))
                    fail('CUSTOM_SQL_SCHEMA', `a CTE may not be named ${name} (pg_ names are the system catalog's)`, name);
                ctes.add(name);
                const body = w.stmt;
                const stmt = (body && 'ast' in body ? body.ast : body);
                if (stmt && stmt.type !== 'select') {
                    fail('CUSTOM_SQL_NOT_SELECT', `the CTE ${name} is a ${String(stmt.type).toUpperCase()}; data-modifying CTEs are not allowed`, name);
                }
            }
        }
        const type = o.type;
        if (typeof type === 'string') {
            if (['insert', 'update', 'delete', 'replace', 'create', 'alter', 'drop', 'truncate', 'set', 'lock', 'use', 'grant', 'call'].includes(type)) {
                fail('CUSTOM_SQL_NOT_SELECT', `a ${type.toUpperCase()} inside the query; a custom report only reads`, type);
            }
            if (type === 'param')
                astParams.add(String(o.value).toLowerCase());
            if (type === 'function' || type === 'aggr_func' || type === 'window_func') {
                const r = checkFunction(o, fail, catalog);
                if (r)
                    reads.add(r);
            }
            if (type === 'cast')
                checkCast(o, fail);
        }
        if (o.type === 'select' && o.into && typeof o.into === 'object' && o.into.expr) {
            fail('CUSTOM_SQL_INTO', 'SELECT ... INTO creates a table; a custom report only reads', 'into');
        }
        if (Array.isArray(o.from))
            for (const f of o.from)
                checkFrom(f);
        for (const v of Object.values(o))
            visit(v);
    };
    const checkRelation = (schema, table) => {
        if (schema !== null && schema !== 'reports') {
            fail('CUSTOM_SQL_SCHEMA', `${schema}.${table} is outside schema reports; a custom report reads reports.* only`, ...schema.split('.'), table);
        }
        if (schema === null && ctes.has(table))
            return;
        reads.add(table);
        if (table.startsWith('pg_')) {
            fail('CUSTOM_SQL_SCHEMA', `${table} is a system catalog (pg_catalog); a custom report reads reports.* only`, table);
        }
        if (catalog && !catalog.relations.has(table)) {
            fail('CUSTOM_SQL_SCHEMA', `${schema ? `${schema}.` : ''}${table} is not a report blotter_bi may read (reports.*; see blotter report list)`, ...(schema ? [schema, table] : [table]));
        }
    };
    const checkFrom = (f) => {
        if (typeof f.table === 'string')
            checkRelation(lowerName(f.db) ?? lowerName(f.schema), f.table.toLowerCase());
    };
    visit(root);
    // node-sql-parser's own list of every relation the statement reads, as a second opinion.
    for (const entry of tableList) {
        const [mode, db, table] = entry.split('::');
        if (mode !== 'select')
            fail('CUSTOM_SQL_NOT_SELECT', `the query would ${mode} ${db}.${table}; a custom report only reads`, table.toLowerCase());
        checkRelation(db === 'null' ? null : db.toLowerCase(), table.toLowerCase());
    }
    // Parameters: from the lexer (positions for rendering); the parser must agree.
    const paramTokens = toks.filter((t) => t.kind === 'param');
    const params = [];
    for (const t of paramTokens)
        if (!params.includes(t.word))
            params.push(t.word);
    for (const p of astParams) {
        if (!params.includes(p))
            fail('CUSTOM_SQL_PARAM', `the checker saw a parameter :${p} the lexer did not`);
    }
    for (const t of paramTokens) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(t.word))
            refuse('CUSTOM_SQL_PARAM', `parameter name ${t.text}: use lower-case letters, digits and _`, sqlText, t.start);
    }
    const render = (slot) => {
        let s = '';
        let at = 0;
        for (const t of paramTokens) {
            s += checked.slice(at, t.start) + slot(params.indexOf(t.word) + 1, t.word);
            at = t.end;
        }
        return s + checked.slice(at);
    };
    return { checked, params, render, reads: [...reads].sort() };
}
// Returns the name of a reports function it calls, if it is one.
function checkFunction(o, fail, catalog) {
    const { schema, name, keyword } = functionName(o);
    if (keyword && ALLOWED_KEYWORD_CALLS.has(name))
        return null;
    if (schema !== null && schema !== 'reports') {
        fail('CUSTOM_SQL_FUNCTION', `${schema}.${name}() is outside schema reports; call allowed functions by their plain name`, ...schema.split('.'), name);
    }
    if (schema === 'reports' || (catalog?.functions.has(name) && !ALLOWED_FUNCTIONS.has(name))) {
        if (DENIED_REPORTS_FUNCTIONS.has(name) || name.startsWith('tg_')) {
            fail('CUSTOM_SQL_FUNCTION', `reports.${name}() writes or runs other SQL; a custom report may not call it`, name);
        }
        if (catalog && !catalog.functions.has(name)) {
            fail('CUSTOM_SQL_FUNCTION', `reports.${name}() is not a report function blotter_bi may call`, name);
        }
        return name;
    }
    if (!ALLOWED_FUNCTIONS.has(name)) {
        fail('CUSTOM_SQL_FUNCTION', `function ${name}() is not on the allowlist of a custom report (aggregates, window, math, string, date/time, JSON, array functions and reports.* functions)`, name);
    }
    return null;
}
function checkCast(o, fail) {
    const targets = (Array.isArray(o.target) ? o.target : [o.target]);
    for (const t of targets) {
        const raw = String(t?.dataType ?? '').toLowerCase().replace(/\[\]$/, '').replace(/\s+/g, ' ').trim();
        const suffix = Array.isArray(t?.suffix) ? t.suffix.map((s) => String(s).toLowerCase()).join(' ') : '';
        // timestamp with time zone, time without time zone
        const base = raw.replace(/ (with|without) time zone$/, '');
        if (!ALLOWED_CAST_TYPES.has(base) || (suffix && !/^(with|without) time zone$/.test(suffix))) {
            fail('CUSTOM_SQL_CAST', `a cast to ${raw}${suffix ? ` ${suffix}` : ''}; casts are allowed to plain types (text, numeric, integer, date, timestamptz, interval, jsonb, ...)`, raw.split(' ')[0]);
        }
    }
}
