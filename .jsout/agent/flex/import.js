// `blotter flex import`: one Flex XML file (Activity or Trade Confirmation, any number of
// accounts) into the ledger, whole or not at all. The file is streamed through saxes (memory
// stays flat whatever its size) and every fact row is COPYed into the ledger as it is read,
// in one transaction that commits only when the document has ended cleanly; the chain
// trigger drops the keys already there, and what it added is counted per account and
// section. A malformed or truncated file, or a row the importer cannot read, rolls
// everything back and names the line.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { BlotterError } from "../errors.js";
import { openCopy } from "../ledger/copy.js";
import { DateOrderScan, FlexDates, NeedDateOrder } from "./dates.js";
import { rowEvent, RowError, statementEvent } from "./rows.js";
const CHUNK = 64 * 1024;
// Under an allocation rate like an import's (every row is a few KB of short-lived strings)
// V8 grows the young generation to 2 x 64 MB, which alone took a 180 MB statement's import
// to 230 MB of RSS. At growth factor 1 it keeps its start size and the same import runs in
// about 160 MB, no slower (the database is the limit). Process-wide, so only the one-shot
// CLI commands call it, not the agent.
export function keepYoungGenerationSmall() {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
}
export async function importFlexFile(sql, file, opts = {}) {
    if (!fs.existsSync(file))
        throw new BlotterError('INPUT_MISSING', `${file}: no such file`);
    if (!fs.statSync(file).isFile())
        throw new BlotterError('INPUT_MISSING', `${file}: not a file`);
    try {
        return await importOnce(sql, file, opts.dateOrder ?? null, opts);
    }
    catch (err) {
        if (!(err instanceof NeedDateOrder))
            throw err;
    }
    // The file writes dates as a/b/yyyy: read it once to learn which of a and b is the month.
    const scan = new DateOrderScan();
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK }))
        scan.push(chunk);
    return importOnce(sql, file, scan.result(file), opts);
}
function hasAttributes(a) {
    for (const _ in a)
        return true;
    return false;
}
const bump = (m, k, n = 1) => {
    m.set(k, (m.get(k) ?? 0) + n);
};
async function importOnce(sql, file, order, opts) {
    const onProgress = opts.onProgress;
    const total = fs.statSync(file).size;
    const dates = new FlexDates(order);
    const name = path.basename(file);
    const rows = new Map();
    const skipped = new Map();
    const statements = [];
    let root = null;
    let declaredCount = null;
    let statementCount = 0;
    let serviceAnswer = null;
    let current = null;
    let stRows = {};
    let stSkipped = {};
    // Sections the statement holds, empty ones too: "no positions" differs from "the query
    // has no positions section", and reconciliation must know which.
    let stSections = new Set();
    const stack = [];
    const seen = new Map();
    const pending = [];
    const hash = createHash('sha256');
    const parser = new SaxesParser({ position: true });
    const where = () => `line ${parser.line}`;
    const refuse = (code, why) => {
        throw new BlotterError(code, `${file}: ${why}; nothing was imported`);
    };
    const onRow = (section, node) => {
        if (!current)
            return;
        const attrs = node.attributes;
        const k = `${current.account}\0${section}`;
        bump(rows, k);
        stRows[section] = (stRows[section] ?? 0) + 1;
        let outcome;
        try {
            outcome = rowEvent(current, section, node.name, attrs, dates, seen);
        }
        catch (err) {
            if (err instanceof RowError)
                refuse('FLEX_BAD_ROW', `${where()}: <${node.name}> in ${section}, attribute ${err.message}`);
            throw err;
        }
        if ('skipped' in outcome) {
            bump(skipped, k);
            stSkipped[section] = (stSkipped[section] ?? 0) + 1;
        }
        else
            pending.push({ ev: outcome.event, section });
    };
    parser.on('opentag', (node) => {
        const depth = stack.length;
        stack.push(node.name);
        const a = node.attributes;
        if (depth === 0) {
            if (node.name === 'FlexStatementResponse') {
                serviceAnswer = '';
                return;
            }
            if (node.name !== 'FlexQueryResponse')
                refuse('FLEX_NOT_A_STATEMENT', `the document is <${node.name}>, not a Flex statement (<FlexQueryResponse>)`);
            const type = a.type ?? '';
            if (type !== 'AF' && type !== 'TCF')
                refuse('FLEX_NOT_A_STATEMENT', `FlexQueryResponse type is "${type}": blotter imports Activity (AF) and Trade Confirmation (TCF) statements`);
            root = { type, queryName: a.queryName ?? '' };
            return;
        }
        if (serviceAnswer !== null)
            return;
        if (depth === 1) {
            if (node.name === 'FlexStatements' && a.count !== undefined && /^\d+$/.test(a.count))
                declaredCount = +a.count;
            return;
        }
        if (depth === 2 && node.name === 'FlexStatement') {
            const acct = a.accountId ?? '';
            if (!/^[A-Za-z0-9._-]{1,64}$/.test(acct))
                refuse('FLEX_BAD_ROW', `${where()}: <FlexStatement> accountId "${acct}" is not an account id`);
            const read = (attr) => {
                const p = dates.parse(a[attr] ?? '');
                if (p === false)
                    refuse('FLEX_BAD_ROW', `${where()}: <FlexStatement> ${attr} "${a[attr]}" is not a date`);
                return p ? FlexDates.instant(p) : null;
            };
            current = {
                type: root.type, queryName: root.queryName, account: acct, fromDate: read('fromDate'), toDate: read('toDate'),
                period: a.period ?? '', whenGenerated: read('whenGenerated'), whenGeneratedRaw: a.whenGenerated ?? '',
            };
            stRows = {};
            stSkipped = {};
            stSections = new Set();
            statementCount++;
            return;
        }
        // A section (its rows below it), or a bare element holding data itself
        // (AccountInformation, ChangeInNAV).
        if (depth === 3 && current)
            stSections.add(node.name);
        if (depth === 3 && hasAttributes(a))
            onRow(node.name, node);
        else if (depth >= 4 && hasAttributes(a))
            onRow(stack[3], node);
    });
    parser.on('text', (t) => {
        if (serviceAnswer !== null)
            serviceAnswer += t;
    });
    // saxes names neither the element a wrong end tag meets nor the one a truncated file
    // ends in; the refusal does (a person has to find the spot in a file of megabytes).
    let lastClosed = '';
    parser.on('closetag', (node) => {
        stack.pop();
        lastClosed = node.name;
        if (node.name === 'FlexStatement' && stack.length === 2 && current) {
            statements.push(current);
            pending.push({ ev: statementEvent(current, name, '', stRows, stSkipped, [...stSections].sort()), section: 'FlexStatement' });
            current = null;
        }
    });
    const staged = new Map();
    const newStatements = new Set();
    const inserted = new Map();
    const sha = await sql.begin(async (tx) => {
        // Rows go straight into the ledger while the file is still being read (the server
        // chains them on its own core meanwhile); what this transaction added is found after,
        // from the heads the flex streams had before it.
        if (opts.statementTimeoutMs) {
            const ms = String(opts.statementTimeoutMs);
            await tx `select set_config('statement_timeout', ${ms}, true), set_config('idle_in_transaction_session_timeout', ${ms}, true)`;
        }
        const heads = new Map();
        for (const r of await tx `select stream, stream_seq from ledger.streams where stream like 'flex:%'`)
            heads.set(r.stream, String(r.stream_seq));
        const sink = await openCopy(tx);
        const decoder = new StringDecoder('utf8');
        let bytes = 0;
        let digest = '';
        let first = true;
        try {
            for await (const buf of fs.createReadStream(file, { highWaterMark: CHUNK })) {
                hash.update(buf);
                bytes += buf.length;
                let text = decoder.write(buf);
                if (first) {
                    text = text.replace(/^\uFEFF/, '');
                    first = false;
                }
                try {
                    parser.write(text);
                }
                catch (err) {
                    throw malformed(err);
                }
                for (const { ev, section } of pending) {
                    // statement events wait for the file's digest (below)
                    if (ev.eventType === 'flex_statement')
                        continue;
                    bump(staged, `${ev.account}\0${section}`);
                    await sink.write(ev);
                }
                const statementsSoFar = pending.filter((p) => p.ev.eventType === 'flex_statement');
                pending.length = 0;
                pending.push(...statementsSoFar);
                onProgress?.(bytes, total);
            }
            try {
                parser.write(decoder.end());
                parser.close();
            }
            catch (err) {
                throw malformed(err);
            }
            if (serviceAnswer !== null) {
                refuse('FLEX_NOT_A_STATEMENT', `this is a Flex Web Service answer, not a statement (${serviceAnswer.replace(/\s+/g, ' ').trim().slice(0, 200)})`);
            }
            if (!root)
                refuse('FLEX_MALFORMED', 'the document is empty');
            if (declaredCount !== null && declaredCount !== statementCount) {
                refuse('FLEX_MALFORMED', `FlexStatements says count="${declaredCount}" but the file holds ${statementCount} FlexStatement element(s): it is incomplete`);
            }
            // The statement events know the file's digest only now; they are written last.
            digest = hash.digest('hex');
            for (const { ev } of pending) {
                const p = JSON.parse(ev.payload);
                p.sha256 = digest;
                await sink.write({ ...ev, payload: JSON.stringify(p) });
            }
            pending.length = 0;
        }
        catch (err) {
            await sink.abort(String(err));
            throw err;
        }
        await sink.end();
        const streams = [...new Set(statements.map((st) => `flex:${st.account}`))];
        const counts = await tx `select * from ledger.flex_appended(${streams}::text[], ${streams.map((st) => heads.get(st) ?? '0')}::bigint[])`;
        for (const r of counts) {
            if (r.event_type === 'flex_statement')
                newStatements.add(r.statement);
            else
                bump(inserted, `${r.account}\0${r.section}`, r.n);
        }
        return digest;
    });
    function malformed(err) {
        if (err instanceof BlotterError || err instanceof NeedDateOrder)
            return err;
        const msg = err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
        if (/^unclosed tag/.test(msg)) {
            return new BlotterError('FLEX_TRUNCATED', `${file}: line ${parser.line}: the file ends inside the document (${msg}): it is truncated; nothing was imported`);
        }
        // saxes runs the close handler for the element a wrong end tag meets, then fails
        const context = /^unexpected close tag/.test(msg) ? `, an end tag that does not close <${lastClosed}>` : stack.length > 0 ? `, inside <${stack.at(-1)}>` : '';
        return new BlotterError('FLEX_MALFORMED', `${file}: line ${parser.line}, column ${parser.column + 1}: not well-formed XML (${msg}${context}); nothing was imported`);
    }
    const sections = [...rows.entries()].map(([k, n]) => {
        const [account, section] = k.split('\0');
        const s = staged.get(k) ?? 0, added = inserted.get(k) ?? 0;
        return { account, section, rows: n, new: added, known: s - added, skipped: skipped.get(k) ?? 0 };
    }).sort((a, b) => a.account.localeCompare(b.account) || a.section.localeCompare(b.section));
    const sum = (f) => sections.reduce((t, s) => t + f(s), 0);
    const r = root;
    return {
        file, type: r.type, queryName: r.queryName, sha256: sha, bytes: total,
        statements: statements.map((s) => ({
            account: s.account, type: s.type, fromDate: s.fromDate, toDate: s.toDate, period: s.period, whenGenerated: s.whenGenerated,
            new: newStatements.has(`${s.account}:${s.type}:${s.fromDate ?? ''}:${s.toDate ?? ''}:${s.whenGenerated ?? s.whenGeneratedRaw}`),
        })),
        sections, rows: sum((s) => s.rows), new: sum((s) => s.new), known: sum((s) => s.known), skipped: sum((s) => s.skipped),
    };
}
