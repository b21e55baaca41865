// What one Flex row becomes: an event of source flex on stream flex:<account>, or nothing
// when it only repeats other rows (Order, SymbolSummary and AssetSummary roll-ups,
// summary copies with accountId "-" or levelOfDetail SUMMARY). The payload keeps every
// attribute exactly as IB wrote it (`raw`) and adds what needs the file's context to read:
// dates and times as ISO (`dates`, New York wall clock turned into UTC), and the ids that
// key the row. Numbers stay IB's strings; the views in 200_flex_views.sql cast them.
import { createHash } from 'node:crypto';
import { FlexDates } from "./dates.js";
// A row IB's query can carry that is not a fact: which element names roll up others.
const ROLLUP_ELEMENTS = new Set(['Order', 'SymbolSummary', 'AssetSummary']);
const ROLLUP_LEVELS = new Set(['ORDER', 'SYMBOL_SUMMARY', 'ASSET_SUMMARY']);
const MISSING = new Set(['', '-', '--', 'N/A']);
const SUMMARY_COPIES = new Set(['CashTransactions', 'CorporateActions']);
// Sections whose dates blotter reads into its views: a date there that does not parse is an
// error; elsewhere it is kept as written.
const TYPED_SECTIONS = new Set(['Trades', 'TradeConfirms', 'OpenPositions', 'CashTransactions', 'CashReport', 'EquitySummaryInBase']);
// Date attributes whose value must parse (a statement that garbles one is refused, naming
// it); any other attribute named like a date is read when it parses and kept raw when not.
export const DATE_ATTRS = new Set([
    'dateTime', 'tradeDate', 'settleDateTarget', 'settleDate', 'reportDate', 'orderTime', 'openDateTime', 'holdingPeriodDateTime',
    'exDate', 'payDate', 'expiry', 'fromDate', 'toDate', 'whenGenerated', 'date', 'origTradeDate', 'whenRealized', 'whenReopened',
]);
const DATE_LIKE = /(date|time|expiry|when)/i;
export class RowError extends Error {
    attribute;
    constructor(attribute, reason) {
        super(`${attribute}: ${reason}`);
        this.attribute = attribute;
    }
}
const present = (v) => (v === undefined || MISSING.has(v) ? null : v);
// Numbers IB writes: plain decimals, old statements with thousands separators.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$|^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
// Attributes a fact cannot do without being a number (when present).
const NUMERIC = {
    flex_trade: ['quantity', 'tradePrice', 'price', 'proceeds', 'ibCommission', 'commission', 'netCash', 'amount'],
    flex_position: ['position', 'markPrice', 'positionValue', 'costBasisMoney'],
    flex_position_lot: ['position', 'markPrice', 'positionValue', 'costBasisMoney'],
    flex_cash_transaction: ['amount'],
    flex_cash_report: ['startingCash', 'endingCash'],
    flex_nav: ['total'],
};
// Whether an attribute name looks like a date, once per name (a statement repeats a few
// dozen names a million times).
const dateLikeName = new Map();
function isDateLike(name) {
    let v = dateLikeName.get(name);
    if (v === undefined) {
        v = DATE_LIKE.test(name) && name !== 'tradeTime';
        if (dateLikeName.size < 10_000)
            dateLikeName.set(Buffer.from(name).toString(), v);
    }
    return v;
}
export function readDates(attrs, dates, strict = true) {
    const out = {};
    for (const name in attrs) {
        if (!isDateLike(name))
            continue;
        const v = attrs[name];
        const r = dates.read(v);
        if (r === false) {
            if (strict && DATE_ATTRS.has(name))
                throw new RowError(name, `"${v}" is not a date or time in any format IB offers (yyyyMMdd, yyyy-MM-dd, MM/dd/yyyy, dd/MM/yyyy, dd-MMM-yy, with HHmmss or HH:mm:ss)`);
            continue;
        }
        if (r !== null)
            out[name] = r;
    }
    // Older queries give tradeDate + tradeTime instead of dateTime.
    if (!out.dateTime && out.tradeDate && present(attrs.tradeTime)) {
        const t = /^(\d{2}):?(\d{2}):?(\d{2})$/.exec(attrs.tradeTime);
        if (!t)
            throw new RowError('tradeTime', `"${attrs.tradeTime}" is not a time (HHmmss or HH:mm:ss)`);
        const p = dates.parse(`${attrs.tradeDate};${t[1]}${t[2]}${t[3]}`);
        if (p)
            out.dateTime = FlexDates.instant(p);
    }
    return out;
}
function contentKey(section, element, attrs) {
    const h = createHash('sha256');
    h.update(section + '\0' + element);
    for (const k of Object.keys(attrs).sort())
        h.update('\0' + k + '\0' + attrs[k]);
    return h.digest('hex').slice(0, 32);
}
// The instant a fact happened: its own time, else its date (New York midnight), else the
// statement's end.
function occurred(dates, st, ...names) {
    for (const n of names) {
        const v = dates[n];
        if (v)
            return v.length === 10 ? FlexDatesMidnight(v) : v;
    }
    return st.toDate ? FlexDatesMidnight(st.toDate) : st.whenGenerated ?? new Date().toISOString();
}
function FlexDatesMidnight(date) {
    return FlexDates.instant({ date, time: '00:00:00', zone: null });
}
export function rowEvent(st, section, element, attrs, dates, seen = new Map()) {
    const acct = attrs.accountId;
    if (acct === '-')
        return { skipped: 'summary copy (accountId "-")' };
    const level = attrs.levelOfDetail ?? '';
    if (ROLLUP_ELEMENTS.has(element) || ROLLUP_LEVELS.has(level.toUpperCase()))
        return { skipped: 'roll-up of other rows' };
    // With the query's "Summary" option every cash transaction and corporate action comes
    // twice; the SUMMARY copy is not a fact of its own.
    if (SUMMARY_COPIES.has(section) && level.toUpperCase() === 'SUMMARY')
        return { skipped: 'summary copy (levelOfDetail SUMMARY)' };
    const d = readDates(attrs, dates, TYPED_SECTIONS.has(section));
    const account = st.account;
    let ck;
    const content = () => {
        if (ck === undefined) {
            const base = contentKey(section, element, attrs);
            const k = `${account}\0${base}`;
            const n = (seen.get(k) ?? 0) + 1;
            seen.set(k, n);
            ck = n === 1 ? base : `${base}#${n}`;
        }
        return ck;
    };
    const txn = present(attrs.transactionID);
    let eventType, entityType, entityId, key, at;
    const extra = {};
    if ((section === 'Trades' && element === 'Trade' && (level === '' || level.toUpperCase() === 'EXECUTION')) ||
        (section === 'TradeConfirms' && element === 'TradeConfirm')) {
        eventType = 'flex_trade';
        const exec = present(attrs.ibExecID) ?? present(attrs.execID);
        entityType = 'execution';
        const buySell = attrs.buySell ?? '';
        const notes = (attrs.notes ?? attrs.code ?? '').split(';').map((s) => s.trim()).filter(Boolean);
        const cancel = /\(Ca\.?\)/.test(buySell) || attrs.transactionType === 'TradeCancel' || notes.includes('Ca');
        const correct = attrs.transactionType === 'TradeCorrect' || notes.includes('Co');
        // Keyed by transactionID, unique per row and the same in every statement that holds the
        // row: a cancellation or a correction may repeat the original's execution id, and keyed
        // by it would be dropped as the original's duplicate. Rows without one (Trade
        // Confirmations may have none) by execution id, else by content. Per statement type: a
        // fill in a Trade Confirmation does not stand for the Activity statement's row.
        entityId = exec ?? (txn ? `txn:${txn}` : `row:${content()}`);
        key = txn ? `flex:txn:${st.type}:${account}:${txn}` : exec && !cancel ? `flex:exec:${st.type}:${account}:${exec}` : `flex:row:${account}:${content()}`;
        at = occurred(d, st, 'dateTime', 'tradeDate', 'reportDate');
        extra.exec_id = exec;
        extra.side = /^BUY/i.test(buySell) ? 'BUY' : /^SELL/i.test(buySell) ? 'SELL' : null;
        extra.cancel = cancel;
        extra.correct = correct;
        extra.codes = notes;
    }
    else if (section === 'OpenPositions' && element === 'OpenPosition') {
        const conid = present(attrs.conid) ?? `row:${content()}`;
        const rd = d.reportDate ?? st.toDate ?? '';
        at = occurred(d, st, 'reportDate');
        if (level.toUpperCase() === 'LOT') {
            eventType = 'flex_position_lot';
            // by content: two open lots of one opening fill (a wash-sale split) share its id
            const lot = content();
            entityType = 'position';
            entityId = conid;
            key = `flex:lot:${account}:${rd}:${conid}:${lot}`;
        }
        else {
            eventType = 'flex_position';
            entityType = 'position';
            entityId = conid;
            key = `flex:position:${account}:${rd}:${conid}`;
        }
    }
    else if (section === 'CashTransactions' && element === 'CashTransaction') {
        eventType = 'flex_cash_transaction';
        entityType = 'cash_transaction';
        entityId = txn ?? `row:${content()}`;
        key = txn ? `flex:cashtxn:${account}:${txn}` : `flex:cashrow:${account}:${content()}`;
        at = occurred(d, st, 'dateTime', 'reportDate', 'settleDate');
    }
    else if (section === 'CashReport' && element === 'CashReportCurrency') {
        eventType = 'flex_cash_report';
        entityType = 'cash_report';
        const from = d.fromDate ?? st.fromDate ?? '', to = d.toDate ?? st.toDate ?? '';
        entityId = `${attrs.currency ?? ''}:${from}:${to}`;
        key = `flex:cashreport:${account}:${from}:${to}:${attrs.currency ?? ''}:${level}`;
        at = occurred(d, st, 'toDate');
    }
    else if (section === 'EquitySummaryInBase' && element === 'EquitySummaryByReportDateInBase') {
        eventType = 'flex_nav';
        entityType = 'nav';
        const rd = d.reportDate ?? '';
        entityId = rd;
        key = `flex:nav:${account}:${rd}`;
        at = occurred(d, st, 'reportDate');
    }
    else {
        // Any other section (and closed lots, wash sales, corporate actions, FX rates, ...):
        // kept as IB wrote it, keyed by its content. Not by transactionID: a closed lot carries
        // the opening trade's, so the lots of one opening closed by two sells share it.
        eventType = 'flex_row';
        entityType = section;
        entityId = txn ?? content();
        key = `flex:row:${account}:${section}:${element}:${content()}`;
        at = occurred(d, st, 'dateTime', 'reportDate', 'date', 'toDate');
    }
    for (const name of NUMERIC[eventType] ?? []) {
        const v = present(attrs[name]);
        if (v !== null && !NUMBER.test(v))
            throw new RowError(name, `"${v}" is not a number`);
    }
    // Attributes IB left empty carry nothing but their name; leaving them out keeps a fill's
    // payload a third smaller, and the ledger's hash cost grows with the payload's text.
    const raw = {};
    for (const k of jsonbKeyOrder(attrs))
        if (attrs[k] !== '')
            raw[k] = attrs[k];
    const payload = { section, element, ...extra, dates: d, raw };
    return {
        event: {
            stream: `flex:${account}`, occurredAt: at.length === 10 ? FlexDatesMidnight(at) : at, source: 'flex', eventType,
            entityType, entityId: entityId.slice(0, 900), account, actor: null, sessionId: null,
            idempotencyKey: key.slice(0, 900), payload: JSON.stringify(payload),
        },
    };
}
// jsonb keeps an object's keys sorted (shorter first, then bytewise) and sorts them on
// input; written in that order, PostgreSQL's sort finds them sorted at once. A Trade row has
// ~80 keys: the sort was 7% of the server's time per row. An attribute list repeats from
// row to row, so its order is remembered.
const keyOrders = new Map();
function jsonbKeyOrder(attrs) {
    const names = Object.keys(attrs);
    const sig = names.join('\0');
    let order = keyOrders.get(sig);
    if (!order) {
        order = [...names].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
        if (keyOrders.size >= 1000)
            keyOrders.clear();
        keyOrders.set(Buffer.from(sig).toString(), order.map((n) => Buffer.from(n).toString()));
    }
    return order;
}
export function statementEvent(st, file, sha256, rows, skipped, sections) {
    const id = `${st.account}:${st.type}:${st.fromDate ?? ''}:${st.toDate ?? ''}:${st.whenGenerated ?? st.whenGeneratedRaw}`;
    return {
        stream: `flex:${st.account}`, occurredAt: st.whenGenerated ?? new Date().toISOString(), source: 'flex', eventType: 'flex_statement',
        entityType: 'flex_statement', entityId: id, account: st.account, actor: null, sessionId: null,
        idempotencyKey: `flex:statement:${id}`,
        payload: JSON.stringify({
            section: 'FlexStatement', type: st.type, query_name: st.queryName, from_date: st.fromDate, to_date: st.toDate, period: st.period,
            when_generated: st.whenGenerated, when_generated_raw: st.whenGeneratedRaw, file, sha256, rows, skipped, sections,
        }),
    };
}
