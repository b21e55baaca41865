const pad = (s, n) => s.padEnd(n);
const num = (n, w) => String(n).padStart(w);
export function importText(r) {
    const lines = [];
    const kind = r.type === 'AF' ? 'Activity' : 'Trade Confirmation';
    lines.push(`${r.file}: ${kind} statement${r.queryName ? ` "${r.queryName}"` : ''}, ${r.statements.length} account${r.statements.length === 1 ? '' : 's'}`);
    for (const s of r.statements) {
        const period = s.fromDate === s.toDate ? s.fromDate ?? '?' : `${s.fromDate ?? '?'} to ${s.toDate ?? '?'}`;
        lines.push(`  ${s.account}  ${period}${s.period ? ` (${s.period})` : ''}, generated ${s.whenGenerated ?? '?'}${s.new ? '' : '  [statement already imported]'}`);
    }
    if (r.sections.length === 0) {
        lines.push('  no rows');
        return lines;
    }
    const w = Math.max(7, ...r.sections.map((s) => s.section.length));
    lines.push(`  ${pad('account', 10)} ${pad('section', w)} ${'new'.padStart(8)} ${'known'.padStart(8)} ${'skipped'.padStart(8)}`);
    for (const s of r.sections)
        lines.push(`  ${pad(s.account, 10)} ${pad(s.section, w)} ${num(s.new, 8)} ${num(s.known, 8)} ${num(s.skipped, 8)}`);
    lines.push(`  ${r.new} new, ${r.known} already known, ${r.skipped} not recorded (roll-ups and summary copies of other rows)`);
    return lines;
}
// A progress bar on a terminal (stderr), redrawn at most every 100 ms; nothing when piped.
export function progressBar(stream, label) {
    if (!stream.isTTY)
        return { update: () => { }, end: () => { } };
    let last = 0;
    let drawn = false;
    return {
        update(done, total) {
            const now = Date.now();
            if (now - last < 100 && done < total)
                return;
            last = now;
            const frac = total > 0 ? Math.min(1, done / total) : 1;
            const width = 30;
            const full = Math.round(frac * width);
            stream.write(`\r${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`);
            drawn = true;
        },
        end() {
            if (drawn)
                stream.write('\r\x1b[K');
        },
    };
}
