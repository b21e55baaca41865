// Flex dates and times. The format is chosen per query in IB's portal (date yyyyMMdd,
// yyyy-MM-dd, MM/dd/yyyy, MM/dd/yy, dd/MM/yyyy, dd/MM/yy or dd-MMM-yy; time HHmmss or
// HH:mm:ss; separator ';', ',', ' ' or none), and times are New York wall clock without an
// offset (a few exports add EDT/EST). One reader per file: MM/dd against dd/MM cannot be
// told from one value, so the order is given by the caller or decided from the whole file
// (see decideDateOrder); a guess would silently move every fill by months.
import { BlotterError } from "../errors.js";
import { NEW_YORK, zonedToUtc } from "../zone.js";
export class NeedDateOrder extends Error {
    constructor() {
        super('slash dates need an order');
    }
}
const MISSING = new Set(['', '-', '--', 'N/A', 'MULTI']);
const MONTHS = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
// Offsets of the zone names IB appends; anything else is refused rather than guessed.
const ZONES = {
    EDT: '-04:00', EST: '-05:00', CDT: '-05:00', CST: '-06:00', MDT: '-06:00', MST: '-07:00', PDT: '-07:00', PST: '-08:00',
    UTC: 'Z', GMT: 'Z', Z: 'Z', BST: '+01:00', CET: '+01:00', CEST: '+02:00', MET: '+01:00', MEST: '+02:00', HKT: '+08:00', JST: '+09:00',
};
// date part, then an optional time part after any of the separators IB offers
const YMD = /^(\d{4})(\d{2})(\d{2})(?=$|[;, T]|\d{6}|\d{2}:)/;
const YMD_DASH = /^(\d{4})-(\d{2})-(\d{2})/;
// The year is followed by what may follow a date, as for YMD: with no separator, a time
// comes right after it (01/15/2025100000, 15-Jan-2510:00:00), which `(?!\d)` refused; the
// two readings of the year never both fit (yy leaves 6 digits or HH:, yyyy leaves 4 or :).
const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})(?=$|[;, T]|\d{6}|\d{2}:)/;
const MON = /^(\d{1,2})-([A-Za-z]{3})-(\d{4}|\d{2})(?=$|[;, T]|\d{6}|\d{2}:)/;
const TIME = /^[;, T]*(\d{2}):?(\d{2}):?(\d{2})(?:\s*([A-Za-z]{1,5}))?$/;
function year(y) {
    if (y.length === 4)
        return +y;
    // Two-digit years as POSIX reads them (00-68: 2000s, 69-99: 1900s): fixed, so a file reads
    // the same whenever it is imported, and an option expiring in '28 stays in 2028.
    const n = +y;
    return n <= 68 ? 2000 + n : 1900 + n;
}
function validDate(y, m, d) {
    if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 9999)
        return false;
    const days = m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
    return d <= days;
}
const pad = (n, w = 2) => String(n).padStart(w, '0');
// New York wall clock to an instant (RFC 3339 UTC). FlexDates memoizes per value.
export function newYorkToUtc(date, time) {
    const [y, m, d] = date.split('-').map(Number);
    const [h, mi, s] = time.split(':').map(Number);
    return new Date(zonedToUtc(y, m, d, h, mi, s, NEW_YORK)).toISOString().replace('.000Z', 'Z');
}
export class FlexDates {
    order;
    // value -> instant or date; statements repeat the same dates on thousands of rows
    memo = new Map();
    constructor(order) {
        this.order = order;
    }
    // The value as an instant (RFC 3339 UTC) or a date (YYYY-MM-DD), null when missing,
    // false when it is not a date.
    read(v) {
        let r = this.memo.get(v);
        if (r === undefined) {
            const p = this.parse(v);
            r = p ? FlexDates.instant(p) : p;
            if (this.memo.size >= 20_000)
                this.memo.clear();
            // A copy as the key: v is a slice of the parser's chunk and would keep all of it alive.
            this.memo.set(Buffer.from(v).toString(), r);
        }
        return r;
    }
    // 'YYYY-MM-DD' and 'HH:MM:SS' (New York unless zone is set), null for IB's missing
    // markers, or a BlotterError-free `false` when the value is not a date in any format.
    parse(v) {
        if (MISSING.has(v))
            return null;
        let y, m, d, rest, match;
        if ((match = YMD.exec(v)) || (match = YMD_DASH.exec(v))) {
            y = +match[1];
            m = +match[2];
            d = +match[3];
        }
        else if ((match = SLASH.exec(v))) {
            if (!this.order)
                throw new NeedDateOrder();
            const a = +match[1], b = +match[2];
            [m, d] = this.order === 'mdy' ? [a, b] : [b, a];
            y = year(match[3]);
        }
        else if ((match = MON.exec(v))) {
            const mo = MONTHS[match[2].toLowerCase()];
            if (!mo)
                return false;
            d = +match[1];
            m = mo;
            y = year(match[3]);
        }
        else
            return false;
        if (!validDate(y, m, d))
            return false;
        const date = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
        rest = v.slice(match[0].length);
        if (rest === '' || /^[;, ]*$/.test(rest))
            return { date, time: null, zone: null };
        const t = TIME.exec(rest);
        if (!t)
            return false;
        const h = +t[1], mi = +t[2], s = +t[3];
        if (h > 23 || mi > 59 || s > 59)
            return false;
        let zone = null;
        if (t[4]) {
            zone = ZONES[t[4].toUpperCase()] ?? null;
            if (zone === null)
                return false;
        }
        return { date, time: `${pad(h)}:${pad(mi)}:${pad(s)}`, zone };
    }
    // An instant as RFC 3339 UTC (New York wall clock unless the value names its zone), or
    // just the date when the value has no time.
    static instant(p) {
        if (p.time === null)
            return p.date;
        if (p.zone === null)
            return newYorkToUtc(p.date, p.time);
        return new Date(`${p.date}T${p.time}${p.zone}`).toISOString().replace('.000Z', 'Z');
    }
}
// Decide MM/dd against dd/MM from every slash date in a file's text: a first part over 12
// means dd/MM, a second part over 12 means MM/dd; both or neither is refused.
export class DateOrderScan {
    mdy = false;
    dmy = false;
    tail = '';
    push(chunk) {
        const text = this.tail + chunk;
        const re = /"(\d{1,2})\/(\d{1,2})\/\d{2,4}/g;
        let m;
        while ((m = re.exec(text))) {
            const a = +m[1], b = +m[2];
            if (a > 12 && b <= 12)
                this.dmy = true;
            if (b > 12 && a <= 12)
                this.mdy = true;
        }
        this.tail = text.slice(-16);
    }
    result(file) {
        if (this.mdy && !this.dmy)
            return 'mdy';
        if (this.dmy && !this.mdy)
            return 'dmy';
        throw new BlotterError('FLEX_DATE_AMBIGUOUS', this.mdy
            ? `${file}: its slash dates read as neither MM/dd nor dd/MM throughout (13/01 and 01/13 both occur)`
            : `${file}: dates like 03/04/2025 read as MM/dd or dd/MM and nothing in the file decides which: ` +
                'pass --date-format MM/dd/yyyy or dd/MM/yyyy, or set the Flex query\'s date format to yyyyMMdd');
    }
}
export function dateOrderOption(v) {
    if (v === undefined)
        return null;
    const s = v.replace(/y+$/i, '').toLowerCase();
    if (s === 'mm/dd/')
        return 'mdy';
    if (s === 'dd/mm/')
        return 'dmy';
    throw new BlotterError('USAGE', `--date-format must be MM/dd/yyyy or dd/MM/yyyy (the other formats IB offers are read without it), not "${v}"`);
}
