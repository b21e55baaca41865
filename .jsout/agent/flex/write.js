// Writing Flex statements, in the shape IB's notes describe (agent/flex/import.ts reads
// them back): the demo writes one for its simulated day, tests write each format and trap,
// the benchmark a large one. Streams rows out, so a statement of any size fits in memory.
import fs from 'node:fs';
import { once } from 'node:events';
import { NEW_YORK, wallClock } from "../zone.js";
import { newYorkToUtc } from "./dates.js";
export const DEFAULT_FORMAT = { date: 'yyyyMMdd', time: 'HHmmss', separator: ';' };
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// 'YYYY-MM-DD' in the query's date format.
export function formatDate(date, f) {
    const [y, m, d] = date.split('-');
    switch (f.date) {
        case 'yyyyMMdd': return y + m + d;
        case 'yyyy-MM-dd': return date;
        case 'MM/dd/yyyy': return `${m}/${d}/${y}`;
        case 'MM/dd/yy': return `${m}/${d}/${y.slice(2)}`;
        case 'dd/MM/yyyy': return `${d}/${m}/${y}`;
        case 'dd/MM/yy': return `${d}/${m}/${y.slice(2)}`;
        case 'dd-MMM-yy': return `${d}-${MON[+m - 1]}-${y.slice(2)}`;
    }
}
// An instant (RFC 3339) as New York wall clock in the query's format, as IB writes it.
export function formatDateTime(instant, f) {
    const { date, time } = newYorkWallClock(instant);
    const t = f.time === 'HHmmss' ? time.replaceAll(':', '') : time;
    return formatDate(date, f) + f.separator + t;
}
export function newYorkWallClock(instant) {
    return wallClock(instant, NEW_YORK);
}
// and back (for callers that think in New York time)
export const newYorkInstant = newYorkToUtc;
const esc = (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export function element(name, attrs) {
    let s = '<' + name;
    for (const [k, v] of Object.entries(attrs))
        if (v !== undefined && v !== null)
            s += ` ${k}="${esc(String(v))}"`;
    return s + ' />';
}
// A file being written: open, one statement per account with its sections, close.
export class FlexWriter {
    out;
    buf = [];
    size = 0;
    format;
    constructor(file, opts) {
        this.out = fs.createWriteStream(file);
        this.format = opts.format ?? DEFAULT_FORMAT;
        this.raw(`<?xml version="1.0" encoding="UTF-8"?>\n<FlexQueryResponse queryName="${esc(opts.queryName)}" type="${opts.type}">\n<FlexStatements count="${opts.statements}">\n`);
    }
    raw(s) {
        this.buf.push(s);
        this.size += s.length;
    }
    async flush() {
        if (this.size === 0)
            return;
        const ok = this.out.write(this.buf.join(''));
        this.buf = [];
        this.size = 0;
        if (!ok)
            await once(this.out, 'drain');
    }
    async row(name, attrs) {
        this.raw(element(name, attrs) + '\n');
        if (this.size > 256 * 1024)
            await this.flush();
    }
    d(date) {
        return formatDate(date, this.format);
    }
    dt(instant) {
        return formatDateTime(instant, this.format);
    }
    startStatement(a) {
        this.raw(`<FlexStatement accountId="${esc(a.account)}" fromDate="${this.d(a.fromDate)}" toDate="${this.d(a.toDate)}" period="${esc(a.period)}" whenGenerated="${this.dt(a.whenGenerated)}">\n`);
    }
    endStatement() {
        this.raw('</FlexStatement>\n');
    }
    open(section) {
        this.raw(`<${section}>\n`);
    }
    close(section) {
        this.raw(`</${section}>\n`);
    }
    async end() {
        this.raw('</FlexStatements>\n</FlexQueryResponse>\n');
        await this.flush();
        await new Promise((resolve, reject) => {
            this.out.once('error', reject);
            this.out.end(resolve);
        });
    }
}
export function tradeRow(w, f, extra = {}) {
    const qty = f.side === 'BUY' ? f.quantity : '-' + f.quantity;
    const money = mulDec(qty, f.price, f.multiplier ?? '1');
    const proceeds = negDec(money);
    const comm = negDec(f.commission);
    const { date } = newYorkWallClock(f.time);
    return {
        accountId: f.account, acctAlias: '', model: '', currency: f.currency ?? 'USD', fxRateToBase: '1', assetCategory: f.secType ?? 'STK',
        symbol: f.symbol, description: f.symbol, conid: f.conId, securityID: '', securityIDType: '', cusip: '', isin: '', listingExchange: f.exchange ?? 'NASDAQ',
        underlyingConid: '', underlyingSymbol: '', multiplier: f.multiplier ?? '1', strike: '', expiry: '', putCall: '',
        tradeID: f.tradeId, reportDate: w.d(date), dateTime: w.dt(f.time), tradeDate: w.d(date), settleDateTarget: w.d(addDays(date, 1)),
        transactionType: 'ExchTrade', exchange: f.exchange ?? 'NASDAQ', quantity: qty, tradePrice: f.price, tradeMoney: money, proceeds,
        taxes: '0', ibCommission: comm, ibCommissionCurrency: f.currency ?? 'USD', netCash: addDec(proceeds, comm), closePrice: f.price,
        openCloseIndicator: f.openClose ?? 'O', notes: f.notes ?? '', cost: '', fifoPnlRealized: '0', mtmPnl: '0',
        origTradePrice: '0', origTradeDate: '', origTradeID: '', origOrderID: '0', origTransactionID: '0',
        buySell: f.side, clearingFirmID: '', ibOrderID: f.orderId, transactionID: f.transactionId, ibExecID: f.execId,
        relatedTransactionID: '', brokerageOrderID: '', orderReference: f.orderRef ?? '', volatilityOrderLink: '',
        exchOrderId: 'N/A', extExecID: 'N/A', orderTime: w.dt(f.time), openDateTime: '', holdingPeriodDateTime: '',
        whenRealized: '', whenReopened: '', levelOfDetail: 'EXECUTION', changeInPrice: '0', changeInQuantity: '0', orderType: 'LMT',
        traderID: '', isAPIOrder: 'Y', accruedInt: '0', ...extra,
    };
}
export function addDays(date, n) {
    const t = new Date(date + 'T00:00:00Z');
    t.setUTCDate(t.getUTCDate() + n);
    return t.toISOString().slice(0, 10);
}
// Exact decimal helpers for the writer (strings in, strings out; no floats on money).
function scaleOf(s) {
    const i = s.indexOf('.');
    return i < 0 ? 0 : s.length - i - 1;
}
function toBig(s, scale) {
    const neg = s.startsWith('-');
    const t = neg ? s.slice(1) : s;
    const [i, f = ''] = t.split('.');
    const v = BigInt((i || '0') + f.padEnd(scale, '0'));
    return neg ? -v : v;
}
function fromBig(v, scale) {
    const neg = v < 0n;
    let s = (neg ? -v : v).toString().padStart(scale + 1, '0');
    if (scale > 0)
        s = s.slice(0, -scale) + '.' + s.slice(-scale);
    if (s.includes('.'))
        s = s.replace(/0+$/, '').replace(/\.$/, '');
    return (neg && s !== '0' ? '-' : '') + s;
}
export function addDec(a, b) {
    const sc = Math.max(scaleOf(a), scaleOf(b));
    return fromBig(toBig(a, sc) + toBig(b, sc), sc);
}
export function negDec(a) {
    return a.startsWith('-') ? a.slice(1) : a === '0' ? '0' : '-' + a;
}
export function mulDec(...xs) {
    let v = 1n, sc = 0;
    for (const x of xs) {
        const s = scaleOf(x);
        v *= toBig(x, s);
        sc += s;
    }
    return fromBig(v, sc);
}
