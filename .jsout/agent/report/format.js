const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;
export function parseDecimal(s) {
    const m = DECIMAL.exec(s.trim());
    if (!m || (!m[2] && !m[3]))
        return null;
    return { neg: m[1] === '-', int: (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0', frac: m[3] ?? '' };
}
// × 10^n by moving the point (percent: 2, basis points: 4).
function shift(d, n) {
    const digits = d.int + d.frac;
    const point = d.int.length + n;
    const padded = point > digits.length ? digits.padEnd(point, '0') : digits;
    return { neg: d.neg, int: padded.slice(0, point).replace(/^0+(?=\d)/, '') || '0', frac: padded.slice(point) };
}
// Half away from zero, as people round money.
function round(d, places) {
    if (d.frac.length <= places)
        return { ...d, frac: d.frac.padEnd(places, '0') };
    const keep = d.int + d.frac.slice(0, places);
    const up = d.frac.charCodeAt(places) >= 53; // '5'
    let digits = keep;
    if (up) {
        const arr = keep.split('');
        let i = arr.length - 1;
        for (; i >= 0; i--) {
            if (arr[i] === '9')
                arr[i] = '0';
            else {
                arr[i] = String(Number(arr[i]) + 1);
                break;
            }
        }
        digits = (i < 0 ? '1' : '') + arr.join('');
    }
    const intLen = digits.length - places;
    return { neg: d.neg, int: digits.slice(0, intLen).replace(/^0+(?=\d)/, '') || '0', frac: digits.slice(intLen) };
}
const isZero = (d) => !/[1-9]/.test(d.int + d.frac);
function group(int) {
    return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
function show(d) {
    const body = group(d.int) + (d.frac ? `.${d.frac}` : '');
    return (d.neg && !isZero(d) ? '-' : '') + body;
}
const trimZeros = (d, min = 0) => {
    let frac = d.frac.replace(/0+$/, '');
    if (frac.length < min)
        frac = frac.padEnd(min, '0');
    return { ...d, frac };
};
// A decimal (or integer) for display in the column's format. Anything that is not a plain
// decimal (NaN, Infinity) is shown as it is.
export function formatNumber(value, format) {
    const raw = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : String(value)) : value;
    if (format === 'id')
        return { text: raw, negative: false };
    const d = parseDecimal(raw);
    if (!d)
        return { text: raw, negative: false };
    let out;
    let suffix = '';
    switch (format) {
        case 'money':
            out = round(d, 2);
            break;
        case 'percent':
            out = round(shift(d, 2), 2);
            suffix = '%';
            break;
        case 'bps':
            out = round(d, 1);
            break;
        case 'ratio':
            out = round(d, 2);
            break;
        case 'price':
            out = trimZeros(d, 2);
            break;
        case 'quantity':
        default:
            out = trimZeros(d);
            break;
    }
    return { text: show(out) + suffix, negative: out.neg && !isZero(out) };
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// '2026-11-01' → '1 Nov 2026' (no locale: the same on every machine).
export function longDate(date) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    if (!m)
        return date;
    return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}
// An ISO timestamp shown in UTC to the second: '2026-11-23 14:31:05'.
export function utcTimestamp(ts) {
    const t = Date.parse(ts);
    if (!Number.isFinite(t))
        return ts;
    return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '');
}
