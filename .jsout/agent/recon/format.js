// Reconciliation results in plain words for the command line: a run's summary as a small
// table per account, a break as one line ("quantity: broker 100, bot 90 (−10)"), a break
// with its history. Pure functions of the rows; nothing here reads the database.
import { isRaw } from "../ledger/json.js";
// A value as recorded; negatives with a true minus sign, which reads better in a column.
export function num(v) {
    if (v === null || v === undefined)
        return 'none';
    const text = isRaw(v) ? v.rawJSON : String(v);
    return text.startsWith('-') ? '\u2212' + text.slice(1) : text;
}
function signed(v) {
    const text = num(v);
    return text.startsWith('\u2212') || /^0(\.0*)?$/.test(text) ? text : '+' + text;
}
// "quantity: broker 100, bot 90 (−10)"; positions add what IB's fills add up to.
export function fieldText(f) {
    const parts = 'statement' in f
        ? [`statement ${num(f.statement)}`, `live ${num(f.live)}`, ...('bot' in f ? [`bot ${num(f.bot)}`] : [])]
        : [`broker ${num(f.broker)}`, `bot ${num(f.bot)}`];
    if (f.fills !== undefined)
        parts.push(`fills ${num(f.fills)}`);
    const diff = f.difference === undefined || f.difference === null ? '' : ` (${signed(f.difference)})`;
    return `${f.field}: ${parts.join(', ')}${diff}`;
}
export function fieldsText(detail) {
    const fields = Array.isArray(detail?.fields) ? detail.fields : [];
    if (fields.length)
        return fields.map(fieldText).join('; ');
    return typeof detail?.reason === 'string' ? detail.reason : '';
}
// Timestamps arrive in UTC (the CLI's session time zone), PostgreSQL dropping trailing
// zeros of the microseconds: 2026-11-26T14:30:00.1234+00:00. Shown with all six digits
// (so columns line up) and Z; an as-of shown so can be given back to --as-of as it is.
export function time(ts) {
    if (!ts)
        return 'never';
    const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(?:\+00(?::00)?|Z)$/.exec(ts);
    return m ? `${m[1]}${(m[2] ?? '.').padEnd(7, '0')}Z` : ts;
}
// Columns padded to their widest cell; numbers (the columns in `right`) right-aligned.
function table(head, body, right = new Set()) {
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
    return [line(head), ...body.map(line)];
}
// Breaks one to a line, aligned: how bad, what, which (and its state unless open), and
// what differs.
export function breakLines(list) {
    return table(['', '', '', ''], list.map((b) => [
        b.severity_now ?? b.severity ?? '?', b.category, b.key + (b.status === 'open' ? '' : ` [${b.status}]`), fieldsText(b.detail),
    ])).slice(1);
}
const STATUS_WORDS = { ok: 'ok', breaks: 'breaks', not_compared: 'not compared' };
// "ok" over zero rows would read as "checked and fine".
const statusWord = (e) => (e.status === 'ok' && e.total === 0 ? 'nothing to compare' : STATUS_WORDS[e.status] ?? e.status);
// A run of one account: header, counts per entity, then its unresolved breaks (or why
// they cannot be listed).
export function runText(rows, open) {
    const r = rows[0];
    const lines = [`${r.account}  as of ${time(r.as_of)}  scope ${r.scope}  run ${r.run_id}`];
    // What a family could not compare (no complete IB snapshot, say) is counted in total
    // but was not compared: its status says so.
    const body = rows.map((e) => [e.entity, String(e.total - e.skipped), String(e.matched), String(e.within_tolerance), String(e.corrected),
        String(e.pending), String(e.discrepancies), statusWord(e)]);
    const head = ['entity', 'compared', 'matched', 'within tolerance', 'corrected', 'pending', 'breaks', 'status'];
    lines.push(...table(head, body, new Set([1, 2, 3, 4, 5, 6])).map((l) => '  ' + l));
    lines.push(`  breaks: ${r.breaks_opened} opened, ${r.breaks_updated} updated, ${r.breaks_cleared} cleared by this run`);
    if (typeof open === 'string') {
        lines.push(`  open breaks: not listed (${open})`);
    }
    else if (open.length === 0) {
        lines.push('  no open breaks');
    }
    else {
        lines.push(`  open breaks (${open.length}):`);
        for (const l of breakLines(open))
            lines.push('    ' + l);
    }
    return lines;
}
export function breakListText(list) {
    const body = list.map((b) => [b.severity_now ?? b.severity ?? '?', b.status, b.account, time(b.first_seen_at).slice(0, 19) + 'Z', b.break_id, fieldsText(b.detail)]);
    return table(['severity', 'status', 'account', 'first seen', 'break', 'what differs'], body);
}
export function breakText(b, history) {
    const lines = [`break ${b.break_id}`];
    const row = (k, v) => lines.push(`  ${k.padEnd(12)}${v}`);
    row('account', b.account);
    row('status', b.status);
    row('severity', b.severity_now && b.severity_now !== b.severity ? `${b.severity_now} now (${b.severity ?? '?'} when last detected)` : b.severity ?? '?');
    row('category', b.category);
    row('key', b.key);
    row('amount', num(b.amount));
    row('first seen', time(b.first_seen_at));
    row('last seen', `${time(b.last_seen_at)}${b.last_run_id ? ` (run ${b.last_run_id})` : ''}`);
    if (b.reviewed_by)
        row('reviewed', `by ${b.reviewed_by} at ${time(b.reviewed_at)}${b.review_note ? `: ${b.review_note}` : ''}`);
    const fields = Array.isArray(b.detail?.fields) ? b.detail.fields : [];
    if (fields.length) {
        lines.push('  fields:');
        for (const f of fields)
            lines.push(`    ${fieldText(f)}`);
    }
    const rest = Object.entries(b.detail ?? {}).filter(([k, v]) => k !== 'fields' && v !== null);
    if (rest.length)
        lines.push(`  detail: ${rest.map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`);
    lines.push(`history (${history.length}):`);
    for (const h of history) {
        const parts = [time(h.recorded_at), h.what.padEnd(11)];
        if (h.event_type === 'recon_break') {
            parts.push(`severity ${h.severity ?? '?'}`, `run ${h.run_id ?? '?'}`);
            const what = h.what === 'cleared' ? '' : fieldsText(h.detail);
            if (what)
                parts.push(what);
        }
        else {
            parts.push(`by ${h.actor ?? '?'}`);
            if (h.note)
                parts.push(`"${h.note}"`);
        }
        lines.push('  ' + parts.join('  '));
    }
    return lines;
}
