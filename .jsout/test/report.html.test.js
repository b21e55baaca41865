// The HTML and PDF reports: a month's report document (headlines, the five charts, a daily
// table and a streamed table of round trips with negatives, nulls, dates and a symbol that
// is a <script>) rendered to HTML, parsed back and every exact value compared with the
// document; the page checked for anything that could fetch; then loaded in headless
// Chromium (no errors, no request but its own, screenshots at desk and phone width, nothing
// wider than a phone) and printed to PDF (the headline figures in its text, page numbers
// that agree with the page count). Needs no database. Chromium and poppler-utils must be
// installed: without them these tests fail, saying what to install.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { chartSvg } from "../agent/report/charts.js";
import { formatNumber } from "../agent/report/format.js";
import { renderHtml, renderHtmlChunks } from "../agent/report/html.js";
import { chromiumPath, htmlToPdf, horizontalOverflow, loadHtml, PAGE_URL, withBrowser } from "../agent/report/pdf.js";
import { HOSTILE, inBatches, monthlyDocument } from "./helpers/report-doc.js";
import { ROOT } from "./helpers/db.js";
const ARTIFACTS = path.join(ROOT, 'tmp', 'test-artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
// The page's elements as a reader would find them: a deliberately small parser for the
// markup renderHtml writes (attributes in double quotes, no nesting inside cells).
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
function attrs(tag) {
    const out = {};
    for (const m of tag.matchAll(/\s([a-z-]+)(?:="([^"]*)")?/g))
        out[m[1]] = unescape(m[2] ?? '');
    return out;
}
function parseTable(html, name) {
    const m = new RegExp(`<table data-table="${name}">([\\s\\S]*?)</table>`).exec(html);
    if (!m)
        throw new Error(`no table ${name}`);
    const headers = [...m[1].matchAll(/<th(?:\s[^>]*)?>([\s\S]*?)<\/th>/g)].map((h) => unescape(h[1]));
    const body = /<tbody>([\s\S]*)<\/tbody>/.exec(m[1])[1];
    const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map((c) => ({ attrs: attrs(c[1]), text: unescape(c[2].replace(/<[^>]+>/g, '')) })));
    return { headers, rows };
}
// The exact text a cell must carry for a value of this column type, or null when the
// page shows it without one.
function exact(c, v) {
    if (v === null)
        return null;
    if (c.type === 'decimal' || c.type === 'integer' || c.type === 'date' || c.type === 'timestamp')
        return String(v);
    if (c.type === 'boolean')
        return v ? 'true' : 'false';
    return null;
}
// The fixture, with the round trips as an async source (as a cursor gives) and the same
// rows in memory to compare with (the generator is seeded: both are the same rows).
function fixture() {
    const doc = monthlyDocument({ hostile: true, asyncTrades: true, trades: 120 });
    const trades = monthlyDocument({ hostile: true, trades: 120 }).tables[1].rows;
    doc.charts[4] = { ...doc.charts[4], title: `Slippage ${HOSTILE}` };
    return { doc, trades };
}
t.test('every number, date and time in the page carries its exact value from the document', async (t) => {
    const { doc, trades } = fixture();
    const daily = doc.tables[0].rows;
    const html = await renderHtml(doc);
    for (const [table, rows] of [[doc.tables[0], daily], [doc.tables[1], trades]]) {
        const parsed = parseTable(html, table.name);
        t.equal(parsed.rows.length, rows.length, `${table.name}: every row`);
        t.equal(parsed.headers.length, table.columns.length, `${table.name}: every column`);
        let checked = 0, nulls = 0, negatives = 0;
        for (const [i, row] of rows.entries()) {
            for (const [j, c] of table.columns.entries()) {
                const cell = parsed.rows[i][j];
                const want = exact(c, row[c.name] ?? null);
                if (row[c.name] === null) {
                    nulls++;
                    if ('data-value' in cell.attrs || !('data-null' in cell.attrs))
                        t.fail(`${table.name}[${i}].${c.name}: a null is marked as one, with no value`);
                }
                else if (want !== null) {
                    checked++;
                    if (cell.attrs['data-value'] !== want)
                        t.fail(`${table.name}[${i}].${c.name}: data-value ${cell.attrs['data-value']} is not ${want}`);
                }
                else if (c.type === 'text' && cell.text !== row[c.name]) {
                    t.fail(`${table.name}[${i}].${c.name}: text ${cell.text} is not ${String(row[c.name])}`);
                }
                if (want !== null && (c.type === 'decimal' || c.type === 'integer')) {
                    const f = formatNumber(want, c.format);
                    if (cell.text !== f.text)
                        t.fail(`${table.name}[${i}].${c.name}: shows ${cell.text}, not ${f.text}`);
                    const red = (cell.attrs.class ?? '').split(' ').includes('neg');
                    if (red !== f.negative)
                        t.fail(`${table.name}[${i}].${c.name}: ${want} is ${red ? '' : 'not '}in red`);
                    if (red)
                        negatives++;
                }
            }
        }
        t.ok(checked > rows.length, `${table.name}: ${checked} exact values compared`);
        t.ok(negatives > 0, `${table.name}: ${negatives} negative values in red`);
        if (table.name === 'daily')
            t.ok(nulls > 0, 'daily: nulls shown as nulls');
    }
    // Headline cards: the exact value, and the figure a person reads.
    const cards = [...html.matchAll(/<div class="figure"([^>]*)>([^<]*)<\/div>/g)];
    t.equal(cards.length, doc.headlines.length);
    for (const [i, h] of doc.headlines.entries()) {
        t.equal(attrs(cards[i][1])['data-value'], h.value, `${h.label}: exact`);
        t.equal(unescape(cards[i][2]), formatNumber(h.value, h.format).text + (h.format === 'bps' ? ' bps' : ''), `${h.label}: as shown`);
    }
    // Every data-value in the page is one of the document's values: none is made up.
    const known = new Set([
        ...doc.headlines.map((h) => h.value), doc.meta.generatedAt, doc.meta.ledgerThroughSeq,
        ...doc.meta.freshness.flatMap((f) => [f.refreshedAt, f.eventsThroughSeq ?? '']),
        ...doc.meta.chain.flatMap((c) => [c.verifiedAt ?? '', String(c.rowsSince)]),
        ...[...daily, ...trades].flatMap((r) => Object.values(r).map(String)),
    ]);
    const all = [...html.matchAll(/data-value="([^"]*)"/g)].map((m) => unescape(m[1]));
    t.ok(all.length > 1000, `${all.length} data-value attributes`);
    t.same(all.filter((v) => !known.has(v)), [], 'no data-value that is not in the document');
    // The about block: parameters, generation, freshness, chain.
    const about = html.slice(html.indexOf('<footer'));
    for (const [k, v] of Object.entries(doc.meta.parameters))
        t.ok(about.includes(`data-param="${k}">${v.replace(/</g, '&lt;').replace(/>/g, '&gt;')}<`), `parameter ${k}`);
    for (const f of doc.meta.freshness)
        t.ok(about.includes(`data-value="${f.refreshedAt}"`), `freshness of ${f.name}`);
    t.ok(about.includes('data-ok="true"') && about.includes('data-ok="null"'), 'chain status per stream');
    t.ok(about.includes('blotter 0.1.0'), 'generator');
});
t.test('the page fetches nothing and runs nothing: no URL, no script, injected markup is text', async (t) => {
    const { doc } = fixture();
    doc.tables[1].title = `Round trips ${HOSTILE}`;
    doc.headlines.push({ label: `Label ${HOSTILE}`, value: 'n/a', note: '<img src=x onerror=alert(1)>' });
    const html = await renderHtml(doc);
    t.notMatch(html, /<script/i, 'no script element, the injected one included');
    t.notMatch(html, /<(link|img|iframe|object|embed|base|meta http-equiv)\b/i, 'no element that loads anything');
    // Attributes are read from the tags alone: escaped text may say anything.
    const tags = (html.match(/<[a-z][^>]*>/gi) ?? []).join('\n');
    t.ok(tags.length > 10_000, 'tags to check');
    t.notMatch(tags, /\s(src|href|srcset|action|formaction|poster|background|xlink:href)\s*=/i, 'no attribute that loads anything');
    t.notMatch(html, /@import|@font-face/i, 'no CSS import or web font');
    t.notMatch(html, /url\(\s*['"]?(?!#)/i, 'url() only to an id in the page (SVG clip paths)');
    t.notMatch(html, /https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}/i, 'no URL at all');
    t.notMatch(tags, /\son[a-z]+\s*=/i, 'no event handler attribute');
    t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;', 'the symbol is shown as text');
    t.match(html, 'mean &quot;revert&quot; &amp; &lt;b&gt;bold&lt;/b&gt;', 'quotes and ampersands too');
    t.match(html, '&lt;img src=x onerror=alert(1)&gt;', 'in a headline note');
    t.match(html, 'Slippage &lt;script&gt;', 'in a chart title');
    // Clip-path ids are unique in the page, so no chart clips by another's rectangles.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    t.equal(new Set(ids).size, ids.length, `${ids.length} ids, all unique`);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g))
        if (!ids.includes(m[1]))
            t.fail(`url(#${m[1]}) points at no element`);
});
t.test('every column type has a reading: booleans, JSON, arrays, intervals, text', async (t) => {
    const doc = { ...monthlyDocument({ trades: 1 }), charts: [], headlines: [], tables: [{
                name: 'Odd Name!', title: 'Types', columns: [
                    { name: 'b', type: 'boolean' }, { name: 'j', type: 'json' }, { name: 'a', type: 'text[]' }, { name: 'i', type: 'interval' },
                    { name: 's', type: 'text', label: 'Note', doc: 'a "quoted" <doc>' }, { name: 'n', type: 'integer' }, { name: 'ts', type: 'timestamp', label: 'At (UTC)' },
                ],
                rows: [{ b: true, j: { k: '<v>' }, a: ['x', '<y>'], i: '1 day 02:00:00', s: 'plain', n: -3, ts: '2026-11-02T14:30:00.5Z' },
                    { b: false, j: [1, 2], a: [], i: null, s: null, n: 0, ts: null }],
            }] };
    const html = await renderHtml(doc);
    t.match(html, 'id="t-odd-name-"', 'a table name makes a safe id');
    t.match(html, 'title="a &quot;quoted&quot; &lt;doc&gt;"', 'the column comment as a tooltip, escaped');
    const { headers, rows } = parseTable(html, 'Odd Name!');
    t.same(headers, ['b', 'j', 'a', 'i', 'Note', 'n', 'At (UTC)']);
    t.same(rows.map((r) => r.map((c) => c.text)), [
        ['yes', '{"k":"<v>"}', 'x, <y>', '1 day 02:00:00', 'plain', '-3', '2026-11-02 14:30:00'],
        ['no', '[1,2]', '', '—', '—', '0', '—'],
    ]);
    t.same([rows[0][0].attrs['data-value'], rows[1][0].attrs['data-value'], rows[0][5].attrs['data-value'], rows[0][6].attrs['data-value']], ['true', 'false', '-3', '2026-11-02T14:30:00.5Z']);
    t.ok(rows[0][5].attrs.class.includes('neg'), 'a negative integer in red');
});
t.test('display formats round exact decimals by string arithmetic', async (t) => {
    const cases = [
        ['1234567.005', 'money', '1,234,567.01', false],
        ['-1234567.004', 'money', '-1,234,567.00', true],
        ['999.995', 'money', '1,000.00', false],
        ['-0.004', 'money', '0.00', false], // rounds to zero: not shown as negative
        ['12345678901234567.125', 'money', '12,345,678,901,234,567.13', false],
        ['0.12345', 'percent', '12.35%', false],
        ['-0.000051', 'percent', '-0.01%', true],
        ['1', 'percent', '100.00%', false],
        ['-2.25', 'bps', '-2.3', true],
        ['1.5', 'ratio', '1.50', false],
        ['100.5000', 'quantity', '100.5', false],
        ['12.5', 'price', '12.50', false],
        ['0.000123400', 'price', '0.0001234', false],
        [1234567, undefined, '1,234,567', false],
        ['.5', 'money', '0.50', false],
        ['NaN', 'money', 'NaN', false],
    ];
    for (const [v, f, text, negative] of cases)
        t.same(formatNumber(v, f), { text, negative }, `${v} as ${f ?? 'plain'}`);
});
t.test('tables stream from their source and stop at the row cap, saying how many rows are left out', async (t) => {
    const { doc } = fixture();
    let pulled = 0;
    const rows = monthlyDocument({ trades: 120 }).tables[1].rows;
    doc.tables[1].rows = (async function* () {
        for await (const b of inBatches(rows, 20)) {
            pulled++;
            yield b;
        }
    })();
    let chunksBeforeLast = 0;
    let html = '';
    for await (const chunk of renderHtmlChunks(doc, { maxRows: 50 })) {
        html += chunk;
        if (pulled < 6)
            chunksBeforeLast++;
    }
    t.ok(chunksBeforeLast > 3, 'the page is written while the source is still being read');
    t.equal(pulled, 6, 'the whole source is read, to count what is left out');
    t.equal(parseTable(html, 'trades').rows.length, 50, 'rows up to the cap');
    t.match(html, /data-more-rows="70">70 more rows not shown: use CSV or XLSX/);
    t.equal(parseTable(html, 'daily').rows.length, 21, 'a table under the cap is whole');
    doc.tables[1].rows = inBatches([], 10);
    doc.tables[0].rows = [];
    const empty = await renderHtml(doc);
    t.equal(empty.match(/No rows for this period\./g)?.length, 2, 'an empty table says so');
    t.notMatch(empty, /more rows not shown/);
});
t.test('each chart kind renders to SVG; a chart with no data is a small "no data" box', async (t) => {
    const doc = monthlyDocument();
    for (const chart of doc.charts) {
        const svg = await chartSvg(chart);
        t.match(svg, /^<svg[^>]+viewBox="0 0 \d+ \d+"/, `${chart.kind}: an SVG`);
        t.ok(svg.length > 2000, `${chart.kind}: with marks (${svg.length} bytes)`);
        const compact = await chartSvg(chart, { compact: true });
        const width = (s) => Number(/width="(\d+)"/.exec(s)[1]);
        t.ok(width(compact) < width(svg), `${chart.kind}: a narrower drawing for a phone`);
    }
    // The heat grid prints each month's value in its cell.
    const grid = await chartSvg(doc.charts[3]);
    const cells = doc.charts[3].cells;
    for (const c of cells) {
        const pct = (Number(c.value) * 100).toFixed(1);
        t.ok(grid.includes(`>${Number(c.value) >= 0 ? '+' : '−'}${pct.replace('-', '')}<`), `${c.year}-${c.month}: ${pct}% printed`);
    }
    // Bars are green up, red down.
    const bars = await chartSvg(doc.charts[2]);
    t.match(bars, /fill="#2e7d32"/);
    t.match(bars, /fill="#c62828"/);
    const empty = [
        { kind: 'equity', title: 'Equity', points: [] },
        { kind: 'drawdown', title: 'Drawdown', points: [{ date: '2026-11-02', value: 'not a number' }] },
        { kind: 'daily_pnl', title: 'P&L', points: [] },
        { kind: 'monthly_returns', title: 'Months', cells: [] },
        { kind: 'histogram', title: 'Slippage', values: [] },
    ];
    for (const chart of empty) {
        const svg = await chartSvg(chart);
        t.match(svg, /class="no-data"[\s\S]*No data for this period/, `${chart.kind}: no data`);
    }
    const html = await renderHtml({ ...doc, charts: empty });
    t.equal(html.match(/No data for this period/g)?.length, 10, 'in the page too (desk and phone drawings)');
});
t.test('Chromium: no errors, no request but the page, screenshots at desk and phone width, nothing sticks out on a phone', async (t) => {
    const { doc } = fixture();
    const html = await renderHtml(doc);
    fs.writeFileSync(path.join(ARTIFACTS, 'report.html'), html);
    await withBrowser(async (browser) => {
        for (const width of [1280, 390]) {
            const { page, requests, errors } = await loadHtml(browser, html, { width });
            t.same(errors, [], `${width}px: no console or page errors`);
            t.same(requests, [PAGE_URL], `${width}px: one request, the page itself`);
            const file = path.join(ARTIFACTS, `report-${width}.png`);
            await page.screenshot({ path: file, fullPage: true });
            t.ok(fs.statSync(file).size > 20_000, `${width}px: screenshot at ${path.relative(ROOT, file)}`);
            t.equal(await horizontalOverflow(page), 0, `${width}px: the page is no wider than the screen`);
            // Facts read from the laid-out page (JavaScript is off for the page itself; the
            // test's own evaluation still runs).
            const layout = await page.evaluate(`(() => {
        const scroll = [...document.querySelectorAll('.scroll')].map((s) => ({ client: s.clientWidth, scroll: s.scrollWidth }));
        const visible = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null).length;
        const cards = [...document.querySelectorAll('.card')].map((c) => c.getBoundingClientRect().top);
        return { scroll, wide: visible('.chart .wide'), narrow: visible('.chart .narrow'), cardRows: new Set(cards).size, body: document.body.scrollWidth };
      })()`);
            t.ok(layout.body <= width, `${width}px: body ${layout.body}px wide`);
            if (width === 390) {
                t.ok(layout.scroll.some((s) => s.scroll > s.client), 'a wide table scrolls inside its own box');
                t.same([layout.wide, layout.narrow], [0, 5], 'the phone drawing of each chart');
                t.equal(layout.cardRows, 3, 'headline cards wrap two to a row');
            }
            else {
                t.same([layout.wide, layout.narrow], [5, 0], 'the desk drawing of each chart');
                t.equal(layout.cardRows, 1, 'headline cards in one row');
            }
            await page.context().close();
        }
    });
});
t.test('PDF: the headline figures are in its text, and every page is numbered out of the page count', async (t) => {
    const pdfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-pdf-'));
    t.teardown(() => fs.rmSync(pdfDir, { recursive: true, force: true }));
    const tool = (cmd, args) => {
        try {
            return execFileSync(cmd, args, { encoding: 'utf8' });
        }
        catch (err) {
            throw new Error(`${cmd} failed (it comes with poppler-utils: apt-get install poppler-utils): ${err.message}`);
        }
    };
    const pages = (file) => Number(/^Pages:\s+(\d+)/m.exec(tool('pdfinfo', [file]))[1]);
    const long = monthlyDocument({ trades: 300 });
    const short = { ...monthlyDocument({ trades: 5 }), charts: [], tables: [] };
    for (const [name, doc] of [['long', long], ['short', short]]) {
        const pdf = await htmlToPdf(await renderHtml(doc), { footer: `${doc.meta.title} · ${doc.meta.parameters.account}` });
        t.equal(pdf.subarray(0, 5).toString(), '%PDF-', `${name}: a PDF`);
        const file = path.join(name === 'long' ? ARTIFACTS : pdfDir, `report-${name}.pdf`);
        fs.writeFileSync(file, pdf);
        const text = tool('pdftotext', ['-layout', file, '-']);
        for (const h of doc.headlines)
            t.ok(text.includes(formatNumber(h.value, h.format).text), `${name}: ${h.label} ${formatNumber(h.value, h.format).text} in the text`);
        t.match(text, 'About this report', `${name}: the about block is printed`);
        const n = pages(file);
        const numbered = [...text.matchAll(/Page (\d+) of (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
        t.same(numbered, Array.from({ length: n }, (_, i) => [i + 1, n]), `${name}: ${n} page(s), each numbered k of ${n}`);
        if (name === 'short')
            t.equal(n, 1, 'a report of headlines is one page');
        // 300 round trips at about 50 rows a page, after a first page of headlines and two
        // pages of charts and the daily table: at least 8 pages, fewer than 12.
        else
            t.ok(n >= 8 && n < 12, `300 round trips span ${n} pages`);
        // Table headers repeat on each page the table spans.
        if (name === 'long')
            t.ok((text.match(/CLOSED \(UTC\)/g)?.length ?? 0) >= n - 3, 'the round trips header on every page it spans');
    }
});
t.test('a page that asks for anything outside itself is refused, not printed', async (t) => {
    const html = '<!doctype html><p>x</p><img src="http://example.com/pixel.png" alt="">';
    await t.rejects(htmlToPdf(html), { code: 'REPORT_FETCH', message: /1 outside resource\(s\), first http:\/\/example\.com\/pixel\.png/ });
});
t.test('without Chromium, PDF and screenshots fail and say how to get it', async (t) => {
    const saved = process.env.BLOTTER_CHROMIUM;
    t.teardown(() => { if (saved === undefined)
        delete process.env.BLOTTER_CHROMIUM;
    else
        process.env.BLOTTER_CHROMIUM = saved; });
    t.throws(() => chromiumPath('/nonexistent/chromium'), { name: 'BlotterError', code: 'CHROMIUM_MISSING', message: /not found at \/nonexistent\/chromium: install it \(Debian\/Ubuntu: apt-get install chromium\) or set BLOTTER_CHROMIUM/ });
    process.env.BLOTTER_CHROMIUM = '/nonexistent/chrome';
    await t.rejects(htmlToPdf('<p>x</p>'), { code: 'CHROMIUM_MISSING', message: /\/nonexistent\/chrome/ });
    delete process.env.BLOTTER_CHROMIUM;
    t.equal(chromiumPath(), '/usr/bin/chromium', "Debian's by default");
    t.equal(chromiumPath('/usr/bin/chromium'), '/usr/bin/chromium');
});
