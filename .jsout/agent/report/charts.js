// Charts for reports: each Chart of the document model becomes a Vega-Lite spec, compiled
// with vega-lite and rendered to an SVG string by vega in this process (renderer 'none':
// no canvas, no browser, no network). Decimal strings become numbers here only to be
// plotted; the exact values stay in the tables.
import * as vega from 'vega';
import { compile } from 'vega-lite';
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
export const COLORS = {
    ink: '#1b2430',
    muted: '#5b6675',
    grid: '#e6e9ee',
    line: '#1f4e79',
    area: '#1f4e79',
    up: '#2e7d32',
    down: '#c62828',
    neutral: '#f4f5f7',
    bars: '#4a6fa5',
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;
// 'YYYY-MM-DD' (or an ISO timestamp) to UTC milliseconds; the charts use UTC scales so a
// date is drawn on its own day whatever the machine's time zone.
function utcMs(date) {
    return /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Date.parse(date);
}
function finite(points) {
    const out = [];
    for (const p of points) {
        const t = utcMs(p.date);
        const v = Number(p.value);
        if (Number.isFinite(t) && Number.isFinite(v))
            out.push({ t, v });
    }
    return out.sort((a, b) => a.t - b.t);
}
// Axis labels for a date range: days within a quarter, months within a few years, years beyond.
function dateFormat(points, compact) {
    const span = points.length ? points[points.length - 1].t - points[0].t : 0;
    if (span <= 100 * DAY_MS)
        return compact ? '%-d %b' : '%-d %b';
    if (span <= 3 * 366 * DAY_MS)
        return "%b %y";
    return '%Y';
}
function config(compact) {
    const size = compact ? 11 : 12;
    return {
        font: FONT,
        background: 'white',
        padding: compact ? 4 : 6,
        view: { stroke: null },
        title: { font: FONT, fontSize: size + 3, fontWeight: 600, color: COLORS.ink, anchor: 'start', offset: 10 },
        axis: {
            labelFont: FONT, titleFont: FONT, labelFontSize: size, titleFontSize: size, labelColor: COLORS.muted,
            titleColor: COLORS.muted, titleFontWeight: 500, gridColor: COLORS.grid, domainColor: '#c5cbd3', tickColor: '#c5cbd3',
            labelPadding: 4,
        },
        axisX: { grid: false },
        axisY: { domain: false, ticks: false },
        legend: { disable: true },
    };
}
function base(chart, o) {
    return {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json', // an identifier only: never fetched
        ...(o.title ? { title: chart.title } : {}),
        width: o.width,
        height: o.height,
        config: config(o.compact),
        autosize: { type: 'pad' },
    };
}
// A few points (a short report): a tick on each point's day and half a day of room either
// side, rather than ticks every few hours that repeat the same date and a lone bar
// stretched across the whole plot.
function timeAxis(points, o, bars = false) {
    const few = points.length <= (o.compact ? 6 : 12);
    const lo = points.length ? points[0].t : 0;
    const hi = points.length ? points[points.length - 1].t : 0;
    const domain = few || hi - lo < 7 * DAY_MS ? { domain: [lo - DAY_MS / 2 - (bars ? 0 : 0), hi + (bars ? 1.5 : 0.5) * DAY_MS] } : {};
    return {
        field: 't', type: 'temporal', title: null, scale: { type: 'utc', nice: false, ...domain },
        axis: {
            format: dateFormat(points, o.compact), labelAngle: 0, labelOverlap: true, labelFlush: true,
            ...(few ? { values: points.map((p) => (bars ? p.t + DAY_MS / 2 : p.t)) } : { tickCount: o.compact ? 4 : 8 }),
        },
    };
}
// Tick labels with as many decimals as the range needs (−1.10 is not "−1").
function valueFormat(values) {
    const max = Math.max(...values.map((p) => Math.abs(p.v)));
    if (max >= 10_000)
        return '~s';
    if (max >= 100)
        return ',.0f';
    return max >= 10 ? ',.1f' : ',.2f';
}
function equitySpec(chart, o) {
    const values = finite(chart.points);
    if (!values.length)
        return null;
    const x = timeAxis(values, o);
    const lo = Math.min(...values.map((p) => p.v));
    const hi = Math.max(...values.map((p) => p.v));
    // As many decimals as the range needs to tell the ticks apart: an index near 1 moves in
    // the third decimal, a NAV in whole units.
    const step = (hi - lo || Math.abs(hi) || 1) / 5;
    const decimals = Math.min(4, Math.max(0, Math.ceil(-Math.log10(step))));
    // A fixed domain a little wider than the data, so the shaded area reaches the axis
    // without pulling the scale down to zero.
    const pad = (hi - lo || Math.abs(hi) * 0.01 || 1) * 0.08;
    const floor = lo - pad;
    const y = { field: 'v', type: 'quantitative', title: null, scale: { domain: [floor, hi + pad], nice: false, zero: false }, axis: { tickCount: o.compact ? 4 : 5, format: `,.${decimals}f` } };
    return {
        ...base(chart, o),
        data: { values },
        layer: [
            { mark: { type: 'area', color: COLORS.area, opacity: 0.08, interpolate: 'linear' }, encoding: { x, y, y2: { datum: floor } } },
            { mark: { type: 'line', color: COLORS.line, strokeWidth: 2, interpolate: 'linear', point: values.length <= 31 ? { size: 14, color: COLORS.line } : false }, encoding: { x, y } },
        ],
    };
}
function drawdownSpec(chart, o) {
    const values = finite(chart.points);
    if (!values.length)
        return null;
    const min = Math.min(0, ...values.map((p) => p.v));
    return {
        ...base(chart, o),
        data: { values },
        layer: [
            {
                mark: { type: 'area', color: COLORS.down, opacity: 0.25, line: { color: COLORS.down, strokeWidth: 1.5 }, interpolate: 'linear' },
                encoding: {
                    x: timeAxis(values, o),
                    // Fractions (−0.05 is −5 %); the domain always reaches 0 so a small dip is not magnified.
                    y: { field: 'v', type: 'quantitative', title: null, scale: { domain: [min === 0 ? -0.01 : min * 1.1, 0], nice: true }, axis: { format: '.1%', tickCount: 4 } },
                },
            },
        ],
    };
}
function dailyPnlSpec(chart, o) {
    const values = finite(chart.points);
    if (!values.length)
        return null;
    return {
        ...base(chart, o),
        data: { values },
        layer: [
            {
                // a few bars: a bar's width, not a day's (one day in a short report would fill the plot)
                mark: { type: 'bar', cornerRadiusEnd: values.length <= 60 ? 2 : 0, width: values.length <= 12 ? Math.max(6, Math.min(36, o.width / (values.length * 3))) : { band: 0.75 } },
                encoding: {
                    x: { ...timeAxis(values, o, true), timeUnit: 'utcyearmonthdate', bandPosition: 0 },
                    y: { field: 'v', type: 'quantitative', title: null, stack: null, axis: { format: valueFormat(values), tickCount: o.compact ? 4 : 6 } },
                    color: { condition: { test: 'datum.v < 0', value: COLORS.down }, value: COLORS.up },
                },
            },
            { mark: { type: 'rule', color: '#9aa3ae', strokeWidth: 1 }, encoding: { y: { datum: 0 } } },
        ],
    };
}
function monthlySpec(chart, o) {
    const values = chart.cells
        .map((c) => ({ year: String(c.year), month: MONTHS[c.month - 1], v: Number(c.value) }))
        .filter((c) => c.month !== undefined && Number.isFinite(c.v));
    if (!values.length)
        return null;
    const years = [...new Set(values.map((c) => c.year))].sort();
    // Symmetric around 0 so green and red mean the same size of move either way.
    const m = Math.max(0.0001, ...values.map((c) => Math.abs(c.v)));
    const cellW = o.compact ? 26 : Math.max(40, Math.floor(o.width / 12));
    const cellH = o.compact ? 26 : 30;
    return {
        ...base(chart, o),
        width: cellW * 12,
        height: cellH * years.length,
        data: { values },
        transform: [{ calculate: "(datum.v >= 0 ? '+' : '') + format(datum.v * 100, '.1f')", as: 'label' }, { calculate: `abs(datum.v) > ${m * 0.55}`, as: 'strong' }],
        encoding: {
            x: { field: 'month', type: 'ordinal', title: null, scale: { domain: MONTHS, paddingInner: 0.06 }, axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false, ...(o.compact ? { labelExpr: 'substring(datum.label, 0, 1)' } : {}) } },
            y: { field: 'year', type: 'ordinal', title: null, scale: { domain: years, paddingInner: 0.08 }, axis: { domain: false, ticks: false } },
        },
        layer: [
            { mark: { type: 'rect', cornerRadius: 2 }, encoding: { color: { field: 'v', type: 'quantitative', scale: { domain: [-m, 0, m], range: [COLORS.down, '#f7f7f4', COLORS.up], interpolate: 'rgb' }, legend: null } } },
            {
                mark: { type: 'text', fontSize: o.compact ? 8 : 11, fontWeight: 500 },
                encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.strong', value: 'white' }, value: COLORS.ink } },
            },
        ],
    };
}
function histogramSpec(chart, o) {
    const values = chart.values.map(Number).filter(Number.isFinite).map((v) => ({ v }));
    if (!values.length)
        return null;
    return {
        ...base(chart, o),
        data: { values },
        layer: [
            {
                mark: { type: 'bar', color: COLORS.bars, binSpacing: 1 },
                encoding: {
                    x: { field: 'v', type: 'quantitative', bin: { maxbins: o.compact ? 15 : 30 }, title: chart.unit ?? null, axis: { tickCount: o.compact ? 4 : 8, labelOverlap: true } },
                    y: { aggregate: 'count', type: 'quantitative', title: 'Count', axis: { tickCount: 4, format: 'd' } },
                },
            },
        ],
    };
}
function specFor(chart, o) {
    switch (chart.kind) {
        case 'equity': return equitySpec(chart, o);
        case 'drawdown': return drawdownSpec(chart, o);
        case 'daily_pnl': return dailyPnlSpec(chart, o);
        case 'monthly_returns': return monthlySpec(chart, o);
        case 'histogram': return histogramSpec(chart, o);
    }
}
const escapeXml = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
// A chart with nothing to draw: a quiet box that says so, the size of a short chart.
export function noDataSvg(title, o = {}) {
    const w = (o.width ?? 640) + 60;
    const h = o.title === false ? 60 : 90;
    const y0 = o.title === false ? 0 : 30;
    const heading = o.title === false ? '' : `<text x="8" y="20" font-family="${escapeXml(FONT)}" font-size="15" font-weight="600" fill="${COLORS.ink}">${escapeXml(title)}</text>`;
    return `<svg xmlns="http://www.w3.org/2000/svg" class="no-data" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeXml(title)}: no data">`
        + heading
        + `<rect x="1" y="${y0 + 1}" width="${w - 2}" height="${58}" rx="6" fill="${COLORS.neutral}" stroke="${COLORS.grid}"/>`
        + `<text x="${w / 2}" y="${y0 + 35}" text-anchor="middle" font-family="${escapeXml(FONT)}" font-size="13" fill="${COLORS.muted}">No data for this period</text>`
        + '</svg>';
}
// The Vega-Lite spec for a chart, or null when it has nothing to draw (exported so a
// reader can open it in the Vega editor).
export function chartSpec(chart, opts = {}) {
    const compact = opts.compact ?? false;
    const o = {
        compact,
        width: opts.width ?? (compact ? 300 : 640),
        height: opts.height ?? (compact ? 160 : 220),
        title: opts.title ?? true,
    };
    return specFor(chart, o);
}
export async function chartSvg(chart, opts = {}) {
    const spec = chartSpec(chart, opts);
    if (!spec)
        return noDataSvg(chart.title, opts);
    const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
    // No loader is needed (data is inline); one that refuses makes "no network" a fact.
    const loader = vega.loader();
    loader.load = async (uri) => { throw new Error(`charts load nothing from outside (asked for ${uri})`); };
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logLevel: vega.Error });
    try {
        return namespaceIds(await view.toSVG(), opts.idPrefix ?? `chart${++charts}-`);
    }
    finally {
        view.finalize();
    }
}
let charts = 0;
// Vega numbers its clip paths from a counter of its own (clip1, clip2, ...); two SVGs in one
// page must not share an id, or one chart would clip by the other's rectangles.
function namespaceIds(svg, prefix) {
    return svg.replace(/ id="([^"]+)"/g, (_, id) => ` id="${prefix}${id}"`).replace(/url\(#([^)]+)\)/g, (_, id) => `url(#${prefix}${id})`);
}
