// The HTML report: one self-contained page (inline CSS, charts as inline SVG, no script, no
// fetch of any kind) that reads well on a desk, on a phone and on paper, and that pdf.ts
// prints. Every number shown is rounded for reading; its exact value is in the cell's
// data-value attribute, so a reader (or a test) can compare the page with the database.
// Tables stream: rows are rendered batch by batch as the source yields them, up to a row
// cap per table; past it the page says how many rows it left out and where to find them.
import { chartSvg } from "./charts.js";
import { formatNumber, longDate, parseDecimal, utcTimestamp } from "./format.js";
import { batches } from "./model.js";
export const DEFAULT_MAX_ROWS = 5_000;
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Every text that reaches the page goes through here, in content and in attributes alike.
export function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, (c) => ESC[c]);
}
// An id safe in a URL fragment and an attribute, from a table's name.
const anchor = (name) => 't-' + name.toLowerCase().replace(/[^a-z0-9_]+/g, '-');
const NUMERIC = new Set(['decimal', 'integer']);
function headerLabel(c) {
    const label = c.label ?? c.name;
    if (c.format === 'bps' && !/bps/i.test(label))
        return `${label} (bps)`;
    if (c.type === 'timestamp' && !/utc/i.test(label))
        return `${label} (UTC)`;
    return label;
}
// One table cell. Numbers, dates and timestamps carry their exact value in data-value.
function cell(c, v) {
    if (v === null || v === undefined)
        return `<td class="null${NUMERIC.has(c.type) ? ' num' : ''}" data-null="">—</td>`;
    switch (c.type) {
        case 'decimal':
        case 'integer': {
            const exact = String(v);
            const f = formatNumber(typeof v === 'number' ? v : exact, c.format);
            return `<td class="num${f.negative ? ' neg' : ''}" data-value="${escapeHtml(exact)}">${escapeHtml(f.text)}</td>`;
        }
        case 'date':
            return `<td class="date" data-value="${escapeHtml(v)}">${escapeHtml(v)}</td>`;
        case 'timestamp':
            return `<td class="date" data-value="${escapeHtml(v)}">${escapeHtml(utcTimestamp(String(v)))}</td>`;
        case 'boolean':
            return `<td class="bool" data-value="${v ? 'true' : 'false'}">${v ? 'yes' : 'no'}</td>`;
        case 'text[]':
            return `<td>${escapeHtml(Array.isArray(v) ? v.join(', ') : String(v))}</td>`;
        case 'json':
            return `<td class="json"><code>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</code></td>`;
        default:
            return `<td>${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : v)}</td>`;
    }
}
async function* tableHtml(t, maxRows) {
    yield `<section class="panel table-section" id="${anchor(t.name)}" aria-labelledby="${anchor(t.name)}-h">`;
    yield `<h2 id="${anchor(t.name)}-h">${escapeHtml(t.title)}</h2>`;
    if (t.description)
        yield `<p class="description">${escapeHtml(t.description)}</p>`;
    const head = t.columns.map((c) => `<th scope="col" class="${NUMERIC.has(c.type) ? 'num' : ''}"${c.doc ? ` title="${escapeHtml(c.doc)}"` : ''}>${escapeHtml(headerLabel(c))}</th>`).join('');
    let shown = 0;
    let hidden = 0;
    let opened = false;
    for await (const batch of batches(t.rows)) {
        if (!batch.length)
            continue;
        if (shown >= maxRows) {
            hidden += batch.length;
            continue;
        }
        let out = '';
        if (!opened) {
            out += `<div class="scroll" role="region" aria-label="${escapeHtml(t.title)}" tabindex="0"><table data-table="${escapeHtml(t.name)}"><thead><tr>${head}</tr></thead><tbody>`;
            opened = true;
        }
        for (const row of batch) {
            if (shown >= maxRows) {
                hidden++;
                continue;
            }
            out += '<tr>' + t.columns.map((c) => cell(c, row[c.name] ?? null)).join('') + '</tr>';
            shown++;
        }
        yield out;
    }
    if (opened)
        yield '</tbody></table></div>';
    else
        yield '<p class="empty">No rows for this period.</p>';
    if (hidden > 0) {
        yield `<p class="more" data-more-rows="${hidden}">${formatNumber(hidden).text} more row${hidden === 1 ? '' : 's'} not shown: use CSV or XLSX for the whole table.</p>`;
    }
    yield '</section>';
}
function headlineCard(h) {
    const f = formatNumber(h.value, h.format);
    const numeric = parseDecimal(h.value) !== null;
    const text = h.format === 'bps' ? `${f.text} bps` : f.text;
    return `<div class="card${f.negative ? ' neg' : ''}"><div class="label">${escapeHtml(h.label)}</div>`
        + `<div class="figure"${numeric ? ` data-value="${escapeHtml(h.value)}"` : ''}>${escapeHtml(numeric ? text : h.value)}</div>`
        + (h.note ? `<div class="note">${escapeHtml(h.note)}</div>` : '')
        + '</div>';
}
// Inline SVG needs no namespace declarations in HTML; dropping them leaves no URL in the page.
const inlineSvg = (svg) => svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '');
async function chartsHtml(doc) {
    if (!doc.charts.length)
        return '';
    const figures = [];
    for (const [i, chart] of doc.charts.entries()) {
        // Two drawings of each chart: a wide one for a desk and paper, a narrow one for a phone,
        // chosen by CSS alone (no script), so neither is a shrunken copy of the other.
        const [wide, narrow] = await Promise.all([
            chartSvg(chart, { title: false, width: 1040, height: chart.kind === 'histogram' ? 200 : 230, idPrefix: `c${i}w-` }),
            chartSvg(chart, { title: false, compact: true, width: 290, height: 170, idPrefix: `c${i}n-` }),
        ]);
        figures.push(`<figure class="panel chart chart-${chart.kind}"><figcaption>${escapeHtml(chart.title)}</figcaption>`
            + `<div class="wide">${inlineSvg(wide)}</div><div class="narrow">${inlineSvg(narrow)}</div></figure>`);
    }
    return `<section class="charts" aria-label="Charts">${figures.join('')}</section>`;
}
function period(p) {
    if (p.from && p.to)
        return p.from === p.to ? longDate(p.from) : `${longDate(p.from)} – ${longDate(p.to)}`;
    if (p.year)
        return p.year;
    if (p.from)
        return `from ${longDate(p.from)}`;
    if (p.to)
        return `through ${longDate(p.to)}`;
    return 'All dates';
}
function chainBadge(chain) {
    if (!chain.length)
        return '';
    const broken = chain.filter((c) => c.ok === false);
    const unchecked = chain.filter((c) => c.ok === null);
    if (broken.length)
        return `<span class="badge bad">Ledger chain check failed: ${escapeHtml(broken.map((c) => c.stream).join(', '))}</span>`;
    if (unchecked.length)
        return `<span class="badge warn">Ledger chain not yet verified for ${unchecked.length} of ${chain.length} stream${chain.length === 1 ? '' : 's'}</span>`;
    return `<span class="badge ok">Ledger chain verified (${chain.length} stream${chain.length === 1 ? '' : 's'})</span>`;
}
function header(doc) {
    const p = doc.meta.parameters;
    const facts = [
        ['Account', p.account ?? 'All accounts'],
        ['Period', period(p)],
        ['Generated', `${utcTimestamp(doc.meta.generatedAt)} UTC`],
    ];
    return '<header class="masthead">'
        + `<div class="kicker">${escapeHtml(doc.meta.report)} report</div>`
        + `<h1>${escapeHtml(doc.meta.title)}</h1>`
        + `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`
        + chainBadge(doc.meta.chain)
        + '</header>';
}
function about(doc) {
    const m = doc.meta;
    const params = Object.entries(m.parameters);
    const rows = (cells) => cells.map((r) => `<tr>${r.join('')}</tr>`).join('');
    const freshness = m.freshness.length
        ? `<div class="scroll"><table class="meta"><thead><tr><th scope="col">Report data</th><th scope="col">Refreshed (UTC)</th><th scope="col" class="num">Events through seq</th></tr></thead><tbody>`
            + rows(m.freshness.map((f) => [`<td>${escapeHtml(f.name)}</td>`, `<td class="date" data-value="${escapeHtml(f.refreshedAt)}">${escapeHtml(utcTimestamp(f.refreshedAt))}</td>`,
                f.eventsThroughSeq === null ? '<td class="null num" data-null="">—</td>' : `<td class="num" data-value="${escapeHtml(f.eventsThroughSeq)}">${escapeHtml(f.eventsThroughSeq)}</td>`]))
            + '</tbody></table></div>'
        : '<p>Read directly from the ledger (no materialized report).</p>';
    const status = (ok) => ok === true ? '<span class="ok">verified</span>' : ok === false ? '<span class="bad">FAILED</span>' : '<span class="warn">not yet verified</span>';
    const chain = m.chain.length
        ? `<div class="scroll"><table class="meta"><thead><tr><th scope="col">Stream</th><th scope="col">Status</th><th scope="col">Verified (UTC)</th><th scope="col" class="num">Events since</th></tr></thead><tbody>`
            + rows(m.chain.map((c) => [`<td>${escapeHtml(c.stream)}</td>`, `<td data-ok="${c.ok === null ? 'null' : String(c.ok)}">${status(c.ok)}</td>`,
                c.verifiedAt === null ? '<td class="null text" data-null="">never</td>' : `<td class="date" data-value="${escapeHtml(c.verifiedAt)}">${escapeHtml(utcTimestamp(c.verifiedAt))}</td>`,
                c.rowsSince === null ? '<td class="null num" data-null="">—</td>' : `<td class="num" data-value="${c.rowsSince}">${escapeHtml(formatNumber(c.rowsSince).text)}</td>`]))
            + '</tbody></table></div>'
        : '<p>This report draws on no ledger stream.</p>';
    return '<footer class="panel about" id="about"><h2>About this report</h2>'
        + '<div class="about-grid">'
        + '<div><h3>Parameters</h3><dl class="kv">'
        + `<div><dt>Report</dt><dd>${escapeHtml(m.report)}</dd></div>`
        + params.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd data-param="${escapeHtml(k)}">${escapeHtml(v)}</dd></div>`).join('')
        + '</dl></div>'
        + '<div><h3>Provenance</h3><dl class="kv">'
        + `<div><dt>Generated</dt><dd data-value="${escapeHtml(m.generatedAt)}">${escapeHtml(utcTimestamp(m.generatedAt))} UTC</dd></div>`
        + `<div><dt>Generator</dt><dd>${escapeHtml(m.generator)}</dd></div>`
        + `<div><dt>Ledger through seq</dt>${m.ledgerThroughSeq === null ? '<dd data-null="">—</dd>' : `<dd data-value="${escapeHtml(m.ledgerThroughSeq)}">${escapeHtml(m.ledgerThroughSeq)}</dd>`}</div>`
        + '</dl></div>'
        + '</div>'
        + `<h3>Data freshness</h3>${freshness}`
        + `<h3>Ledger chain</h3>${chain}`
        + '<p class="fine">Figures are rounded for reading; each number\'s exact value is in the page source (data-value). '
        + 'Times are UTC; trading days are New York days. The ledger chain is a hash chain over every event: "verified" means '
        + 'no event was changed or removed as of that check.</p>'
        + '</footer>';
}
// The page, piece by piece (a caller may write the pieces to a file as they come).
export async function* renderHtmlChunks(doc, opts = {}) {
    const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    const title = `${doc.meta.title} · ${period(doc.meta.parameters)}`;
    yield '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + `<meta name="generator" content="${escapeHtml(doc.meta.generator)}">`
        + `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main class="report">`;
    yield header(doc);
    if (doc.headlines.length)
        yield `<section class="headlines" aria-label="Headline figures">${doc.headlines.map(headlineCard).join('')}</section>`;
    yield await chartsHtml(doc);
    for (const t of doc.tables)
        yield* tableHtml(t, maxRows);
    yield about(doc);
    yield '</main></body></html>\n';
}
export async function renderHtml(doc, opts = {}) {
    let html = '';
    for await (const chunk of renderHtmlChunks(doc, opts))
        html += chunk;
    return html;
}
// For the benchmark (npm run bench -- html): one render, timed, with its size.
export async function timeRenderHtml(doc, opts = {}) {
    const t0 = process.hrtime.bigint();
    const html = await renderHtml(doc, opts);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: Buffer.byteLength(html) };
}
const CSS = `
:root{--ink:#1b2430;--muted:#5b6675;--line:#e3e7ed;--bg:#f4f6f9;--panel:#fff;--accent:#1f4e79;--neg:#c62828;--pos:#2e7d32;--warn:#a15c00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-variant-numeric:tabular-nums}
.report{max-width:1200px;margin:0 auto;padding:24px 24px 40px}
h1,h2,h3{line-height:1.25;margin:0}
h1{font-size:28px;font-weight:650;letter-spacing:-.01em}
h2{font-size:18px;font-weight:600;margin-bottom:4px}
h3{font-size:14px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;margin:18px 0 8px}
.masthead{background:var(--panel);border-top:5px solid var(--accent);border-radius:10px;padding:22px 26px 20px;margin-bottom:16px;box-shadow:0 1px 2px rgba(16,24,40,.06)}
.kicker{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.08em;color:var(--accent);margin-bottom:6px}
.facts{display:flex;flex-wrap:wrap;gap:8px 32px;margin:14px 0 0}
.facts div{min-width:0}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.badge{display:inline-block;margin-top:14px;padding:3px 10px;border-radius:999px;font-size:12.5px;font-weight:600}
.badge.ok{background:#e8f3ea;color:var(--pos)}.badge.bad{background:#fdeaea;color:var(--neg)}.badge.warn{background:#fff4e0;color:var(--warn)}
.headlines{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-bottom:16px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(16,24,40,.05);min-width:0}
.card .label{font-size:12.5px;color:var(--muted);font-weight:500}
.card .figure{font-size:24px;font-weight:650;margin-top:2px;overflow-wrap:anywhere;letter-spacing:-.01em}
.card.neg .figure{color:var(--neg)}
.card .note{font-size:12px;color:var(--muted);margin-top:2px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:0 0 16px;box-shadow:0 1px 2px rgba(16,24,40,.05);min-width:0}
.chart{margin:0 0 16px}
.chart figcaption{font-size:16px;font-weight:600;margin-bottom:8px}
.chart svg{display:block;max-width:100%;height:auto}
.chart .narrow{display:none}
.description{color:var(--muted);margin:0 0 12px;font-size:14px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%;border:1px solid var(--line);border-radius:8px}
.scroll:focus{outline:2px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:7px 11px;text-align:left;white-space:nowrap;border-bottom:1px solid var(--line)}
thead th{background:#f7f9fb;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em;position:sticky;top:0}
tbody tr:nth-child(even) td{background:#fafbfc}
tbody tr:last-child td{border-bottom:0}
.scroll tbody th,.scroll td:first-child{position:sticky;left:0;z-index:1;background:#fff;box-shadow:inset -1px 0 0 var(--line)}
.scroll tbody tr:nth-child(even) td:first-child{background:#fafbfc}
.scroll thead th:first-child{position:sticky;left:0;z-index:2;box-shadow:inset -1px 0 0 var(--line)}
th.num,td.num{text-align:right}
td.neg{color:var(--neg)}
td.null{color:#a0a8b3}
td.json code{font-size:12px}
.empty{color:var(--muted);font-style:italic;margin:8px 0 0}
.more{margin:10px 0 0;padding:8px 12px;background:#fff8e6;border:1px solid #f3dfa8;border-radius:8px;font-size:13.5px}
.about{font-size:13.5px}
.about-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 32px}
.kv{margin:0}
.kv div{display:flex;gap:12px;padding:4px 0;border-bottom:1px dashed var(--line)}
.kv dt{color:var(--muted);min-width:130px}
.kv dd{margin:0;font-weight:500;overflow-wrap:anywhere;min-width:0}
.about table{font-size:13px}
.ok{color:var(--pos);font-weight:600}.bad{color:var(--neg);font-weight:700}.warn{color:var(--warn);font-weight:600}
.fine{color:var(--muted);font-size:12px;margin:16px 0 0}
@media (max-width:640px){
  body{font-size:14px}
  .report{padding:12px 10px 28px}
  .masthead{padding:16px 16px 14px}
  h1{font-size:22px}
  .facts{gap:6px 20px}
  .headlines{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
  .card{padding:10px 12px}
  .card .figure{font-size:19px}
  .panel{padding:14px 12px}
  .chart .wide{display:none}
  .chart .narrow{display:block}
  .chart .narrow svg{margin:0 auto}
  table{font-size:13px}
  th,td{padding:6px 9px}
  .kv dt{min-width:110px}
}
@media print{
  @page{margin:14mm 12mm 16mm}
  body{background:#fff;font-size:10.5pt}
  .report{max-width:none;padding:0}
  .masthead,.card,.panel{box-shadow:none}
  .masthead{border:1px solid var(--line);border-top:4px solid var(--accent)}
  .chart .narrow{display:none!important}
  .chart .wide{display:block!important}
  .card,.chart,tr,.kv div,.masthead{break-inside:avoid;page-break-inside:avoid}
  h2,h3,figcaption{break-after:avoid;page-break-after:avoid}
  .table-section,.about{break-inside:auto}
  .scroll{overflow:visible;border:0}
  thead{display:table-header-group}
  thead th,.scroll td:first-child,.scroll thead th:first-child{position:static;box-shadow:none}
  table{font-size:9pt}
  th,td{padding:4px 8px}
  .headlines{grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin-bottom:10px}
  .card{padding:8px 12px}
  .card .figure{font-size:17pt}
  .masthead{padding:14px 18px;margin-bottom:10px}
  h1{font-size:20pt}
  .panel{padding:12px 16px;margin-bottom:10px}
  .chart{margin-bottom:10px}
  h3{margin:10px 0 6px}
  .kv div{padding:2px 0}
  .fine{margin-top:8px}
  a{color:inherit;text-decoration:none}
}
`.replace(/\n/g, '');
