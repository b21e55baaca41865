import { checkTimestamp, EventValidationError, toLedgerEvent } from "../ledger/event.js";
import { parseExact, stringifyExact } from "../ledger/json.js";
import { Problems, unstorable } from "../ledger/storable.js";
import { checkObject } from "./schema.js";
const opt = (f) => ({ ...f, optional: true });
const text = (doc, max = 200) => ({ t: 'string', max, doc });
const id = (doc) => ({ t: 'id', doc });
const dec = (doc, sign = 'any') => ({ t: 'decimal', sign, doc });
const currency = { t: 'string', max: 3, pattern: /^[A-Z]{3}$/, patternText: 'a 3-letter currency code (USD)', doc: 'ISO 4217 currency code' };
export const CONTRACT = {
    con_id: opt({ t: 'int', min: 0, doc: 'IB contract id (conId)' }),
    symbol: text('Underlying symbol, e.g. AAPL', 64),
    sec_type: { t: 'enum', values: ['STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG'], doc: 'IB security type' },
    currency,
    exchange: opt(text('Routing exchange, e.g. SMART', 32)),
    primary_exchange: opt(text('Primary listing exchange, e.g. NASDAQ', 32)),
    local_symbol: opt(text('IB local symbol', 64)),
    last_trade_date: opt({ t: 'string', max: 8, pattern: /^\d{6}(\d{2})?$/, patternText: 'YYYYMM or YYYYMMDD', doc: 'Expiry, YYYYMM or YYYYMMDD' }),
    strike: opt(dec('Option strike', 'nonnegative')),
    right: opt({ t: 'enum', values: ['C', 'P'], doc: 'Option right' }),
    multiplier: opt(dec('Contract multiplier', 'positive')),
};
const contract = { t: 'object', fields: CONTRACT, doc: 'The instrument' };
const ORDER_TYPES = ['MKT', 'LMT', 'STP', 'STP LMT', 'MOC', 'LOC', 'MOO', 'LOO', 'TRAIL', 'TRAIL LIMIT', 'MIT', 'LIT', 'REL', 'MIDPRICE', 'PEG MKT', 'PEG MID', 'VWAP'];
const TIFS = ['DAY', 'GTC', 'IOC', 'FOK', 'GTD', 'OPG', 'DTC'];
const CASH_FLOW_KINDS = ['deposit', 'withdrawal', 'dividend', 'interest', 'fee', 'tax'];
const ORDER_STATUSES = ['PendingSubmit', 'PendingCancel', 'PreSubmitted', 'Submitted', 'ApiPending', 'ApiCancelled', 'Cancelled', 'Filled', 'Inactive', 'Rejected'];
export const VOCABULARY = {
    order_submitted: {
        doc: 'The bot sent an order to the broker. Decision and arrival prices make execution quality measurable.',
        entity: { type: 'order', idField: 'client_order_id' },
        needsAccount: true,
        fields: {
            client_order_id: id("The bot's own id for the order"),
            order_ref: opt(text('IB orderRef sent with the order (how broker fills are matched back)')),
            ib_order_id: opt({ t: 'int', doc: 'IB orderId, when known' }),
            parent_id: opt(id('Parent order of a bracket or OCA group')),
            contract,
            side: { t: 'enum', values: ['BUY', 'SELL'], doc: 'Direction' },
            quantity: dec('Order quantity', 'positive'),
            order_type: { t: 'enum', values: ORDER_TYPES, doc: 'IB order type' },
            limit_price: opt(dec('Limit price (LMT, STP LMT, LOC, LIT, TRAIL LIMIT)')),
            stop_price: opt(dec('Stop or trigger price (STP, STP LMT, MIT, LIT, TRAIL)')),
            tif: { t: 'enum', values: TIFS, doc: 'Time in force' },
            good_till: opt({ t: 'timestamp', doc: 'Expiry for GTD orders' }),
            strategy: opt(text('Strategy that placed it')),
            signal_id: opt(id('Signal that led to it')),
            decision_price: opt(dec('Price when the decision was made', 'nonnegative')),
            arrival_price: opt(dec('Market price when the order reached the broker', 'nonnegative')),
            notes: opt(text('Free text', 2000)),
            tax_lots: opt({
                t: 'array', of: id('Execution id of the fill that opened the lot'), max: 1000,
                doc: 'Specific tax lots this order closes, in order: the execution ids of their opening fills. Read when the account\'s lot method is SPECIFIC (reports.tax_accounts): these lots first, then FIFO for any remainder',
            }),
        },
        rules: (p, add) => {
            const t = p.order_type;
            if (['LMT', 'STP LMT', 'LOC', 'LOO', 'LIT', 'TRAIL LIMIT'].includes(t) && p.limit_price == null)
                add('payload.limit_price', `is required for order_type ${t}`);
            if (['STP', 'STP LMT', 'MIT', 'LIT'].includes(t) && p.stop_price == null)
                add('payload.stop_price', `is required for order_type ${t}`);
            if (p.tif === 'GTD' && p.good_till == null)
                add('payload.good_till', 'is required for tif GTD');
        },
    },
    order_status: {
        doc: "An order's status as the bot saw it change.",
        entity: { type: 'order', idField: 'client_order_id' },
        needsAccount: true,
        fields: {
            client_order_id: id("The bot's id for the order"),
            ib_order_id: opt({ t: 'int', doc: 'IB orderId' }),
            perm_id: opt({ t: 'bigint', doc: 'IB permId (64-bit)' }),
            status: { t: 'enum', values: ORDER_STATUSES, doc: 'IB order status' },
            filled: dec('Quantity filled so far', 'nonnegative'),
            remaining: dec('Quantity still open', 'nonnegative'),
            avg_fill_price: opt(dec('Average fill price so far', 'nonnegative')),
            last_fill_price: opt(dec('Price of the latest fill', 'nonnegative')),
            why_held: opt(text('IB whyHeld')),
            reason: opt(text('Rejection or cancel reason', 2000)),
        },
    },
    order_cancel_requested: {
        doc: 'The bot asked the broker to cancel an order.',
        entity: { type: 'order', idField: 'client_order_id' },
        needsAccount: true,
        fields: {
            client_order_id: id("The bot's id for the order"),
            ib_order_id: opt({ t: 'int', doc: 'IB orderId' }),
            reason: opt(text('Why', 2000)),
        },
    },
    order_modified: {
        doc: 'The bot changed a working order (only the fields that changed are given).',
        entity: { type: 'order', idField: 'client_order_id' },
        needsAccount: true,
        fields: {
            client_order_id: id("The bot's id for the order"),
            ib_order_id: opt({ t: 'int', doc: 'IB orderId' }),
            quantity: opt(dec('New quantity', 'positive')),
            limit_price: opt(dec('New limit price')),
            stop_price: opt(dec('New stop price')),
            tif: opt({ t: 'enum', values: TIFS, doc: 'New time in force' }),
            reason: opt(text('Why', 2000)),
        },
        rules: (p, add) => {
            if (p.quantity == null && p.limit_price == null && p.stop_price == null && p.tif == null) {
                add('payload', 'order_modified must change at least one of quantity, limit_price, stop_price, tif');
            }
        },
    },
    execution: {
        doc: "A fill as the bot saw it (the broker's own report arrives through the IB relay).",
        entity: { type: 'execution', idField: 'exec_id' },
        needsAccount: true,
        fields: {
            exec_id: id('IB execId'),
            client_order_id: opt(id("The bot's id for the order")),
            order_ref: opt(text('IB orderRef')),
            ib_order_id: opt({ t: 'int', doc: 'IB orderId' }),
            perm_id: opt({ t: 'bigint', doc: 'IB permId' }),
            contract,
            side: { t: 'enum', values: ['BUY', 'SELL'], doc: 'Direction of the fill' },
            quantity: dec('Filled quantity', 'positive'),
            price: dec('Fill price', 'nonnegative'),
            exchange: opt(text('Execution venue', 32)),
            commission: opt(dec('Commission, when known (positive is a cost)')),
            commission_currency: opt(currency),
            liquidity: opt({ t: 'enum', values: ['added', 'removed', 'routed', 'auction'], doc: 'Liquidity flag' }),
            inferred: opt({ t: 'bool', doc: 'true when reconciliation appended this fill from the broker\'s report (source system): the bot never recorded it' }),
            recon_run: opt(id('The reconciliation run that appended it')),
        },
    },
    commission: {
        doc: 'The commission of a fill, when it is known after the fill (IB reports it separately). Reconciliation appends one (source system) when the bot lacks it.',
        entity: { type: 'execution', idField: 'exec_id' },
        needsAccount: true,
        fields: {
            exec_id: id('IB execId of the fill'),
            commission: dec('Commission (positive is a cost)'),
            currency,
            realized_pnl: opt(dec('Realized P&L IB reported with it')),
            inferred: opt({ t: 'bool', doc: 'true when reconciliation appended it from IB\'s commission report' }),
            recon_run: opt(id('The reconciliation run that appended it')),
        },
    },
    position_snapshot: {
        doc: 'Every position the bot believes it holds in the account, at occurred_at.',
        entity: { type: 'account', idField: '' },
        needsAccount: true,
        fields: {
            positions: {
                t: 'array', max: 10_000, doc: 'One entry per instrument (an empty list means flat)',
                of: {
                    t: 'object', doc: 'A position',
                    fields: {
                        contract,
                        quantity: dec('Signed quantity: negative is short'),
                        avg_cost: opt(dec('Average cost per unit', 'nonnegative')),
                        market_price: opt(dec('Mark price', 'nonnegative')),
                    },
                },
            },
        },
    },
    account_snapshot: {
        doc: 'Cash per currency and account values the bot believes, at occurred_at.',
        entity: { type: 'account', idField: '' },
        needsAccount: true,
        fields: {
            base_currency: currency,
            net_liquidation: dec('Net liquidation value in the base currency'),
            cash: {
                t: 'array', max: 200, doc: 'Cash balance per currency',
                of: { t: 'object', doc: 'Cash in one currency', fields: { currency, amount: dec('Balance (negative is a loan)') } },
            },
            buying_power: opt(dec('Buying power')),
            equity_with_loan: opt(dec('Equity with loan value')),
            maintenance_margin: opt(dec('Maintenance margin requirement', 'nonnegative')),
            initial_margin: opt(dec('Initial margin requirement', 'nonnegative')),
        },
    },
    cash_flow: {
        doc: 'Cash that entered or left the account other than by trading: deposits and withdrawals (which time-weighted returns neutralise), dividends, interest, fees and taxes.',
        entity: { type: 'cash_flow', idField: 'flow_id' },
        needsAccount: true,
        fields: {
            flow_id: opt(id("The bot's own id for the flow: the event's entity id (build the idempotency_key from it too, so a retry is a duplicate)")),
            kind: { t: 'enum', values: CASH_FLOW_KINDS, doc: 'What moved the cash' },
            currency,
            amount: dec('Signed as the account sees it, never zero: money in is positive (deposit, dividend or interest received, a fee refunded), money out negative (withdrawal, fee, tax, interest paid)'),
            value_date: opt({ t: 'date', doc: 'The day the flow counts for (YYYY-MM-DD), when it is not the day of occurred_at' }),
            contract: opt({ ...contract, doc: 'The instrument a dividend, or the tax withheld on it, comes from' }),
            description: opt(text("Free text, e.g. the broker's description of the flow", 2000)),
        },
        // Only deposits and withdrawals have a fixed direction: a refunded fee or tax, or
        // interest paid, keeps its kind with the other sign.
        rules: (p, add) => {
            const amount = p.amount;
            if (/^-?0(\.0+)?$/.test(amount))
                add('payload.amount', 'must not be zero');
            else if (p.kind === 'deposit' && amount.startsWith('-'))
                add('payload.amount', `must be positive for a deposit (money in), got ${amount}`);
            else if (p.kind === 'withdrawal' && !amount.startsWith('-'))
                add('payload.amount', `must be negative for a withdrawal (money out), got ${amount}`);
        },
    },
    pnl: {
        doc: 'Profit and loss the bot computed for the account (or one instrument).',
        entity: { type: 'account', idField: '' },
        needsAccount: true,
        fields: {
            currency,
            daily: opt(dec('Daily P&L')),
            realized: opt(dec('Realized P&L')),
            unrealized: opt(dec('Unrealized P&L')),
            contract: opt(contract),
        },
    },
    signal: {
        doc: 'A strategy signal: what the bot decided and why.',
        entity: { type: 'signal', idField: 'signal_id' },
        fields: {
            signal_id: id('Id the bot gives the signal (orders refer to it)'),
            strategy: text('Strategy name'),
            symbol: opt(text('Instrument symbol', 64)),
            contract: opt(contract),
            direction: opt({ t: 'enum', values: ['long', 'short', 'flat', 'buy', 'sell', 'hold'], doc: 'What the signal says' }),
            strength: opt(dec('Signal strength or score')),
            price: opt(dec('Reference price at the signal', 'nonnegative')),
            features: opt({ t: 'map', doc: 'Inputs that produced it (free-form object)' }),
        },
    },
    config_change: {
        doc: 'A configuration value changed. The actor is required.',
        entity: { type: 'config', idField: 'key' },
        needsActor: true,
        fields: {
            key: text('Setting, e.g. risk.max_position'),
            old: { t: 'json', doc: 'Previous value (any JSON; null when new)', optional: true },
            new: { t: 'json', doc: 'New value (any JSON; null when removed)', optional: true },
            reason: text('Why it changed', 2000),
        },
    },
    user_action: {
        doc: 'A person did something to the bot (pause, flatten, approve, override). The actor is required.',
        entity: { type: 'user_action', idField: '' },
        needsActor: true,
        fields: {
            action: text('What they did, e.g. pause_trading'),
            target: opt(text('What they did it to')),
            reason: opt(text('Why', 2000)),
            details: opt({ t: 'map', doc: 'Anything else (free-form object)' }),
        },
    },
    connection: {
        doc: "The bot's own connection to the broker or to its data changed state.",
        entity: { type: 'connection', idField: 'peer' },
        fields: {
            peer: text('What it connects to, e.g. tws, market_data'),
            state: { t: 'enum', values: ['connecting', 'connected', 'disconnected', 'reconnecting', 'degraded', 'failed'], doc: 'New state' },
            detail: opt(text('Detail', 2000)),
            code: opt({ t: 'int', doc: 'Broker or library code' }),
        },
    },
    system: {
        doc: 'Something about the bot itself: start, stop, deploy, error.',
        entity: { type: 'system', idField: '' },
        fields: {
            event: text('What happened, e.g. started, stopped, deployed, error'),
            version: opt(text('Bot version', 100)),
            message: opt(text('Message', 2000)),
            details: opt({ t: 'map', doc: 'Anything else (free-form object)' }),
        },
    },
};
export const EVENT_TYPES = Object.keys(VOCABULARY);
// The envelope the API takes around each payload.
export const ENVELOPE = {
    event_type: { doc: `One of ${EVENT_TYPES.join(', ')}`, required: true },
    occurred_at: { doc: 'When it happened: RFC 3339 with an offset, up to microseconds', required: true },
    payload: { doc: 'The event, as its event_type defines', required: true },
    idempotency_key: { doc: 'Makes retries safe: the same event again with the same key is a `duplicate` and is not written; a different event with a key already used is a `conflict` and is not written either', required: false },
    account: { doc: 'Broker account (required by order, execution, position, account, cash_flow and pnl events)', required: false },
    actor: { doc: 'Who acted: strategy, user or service (required by config_change and user_action)', required: false },
    session_id: { doc: "The bot's session (a run of the bot)", required: false },
    stream: { doc: 'Chain to append to; default: bot', required: false },
    source: { doc: 'bot (default), user or system', required: false },
};
// In UTF-8 bytes, as the ledger's own rule for other writers (ledger/event.ts): the
// stream column is at most 200 bytes, and these columns are indexed (account, the
// idempotency key), where a longer value is refused by the database, not by the API.
const TEXT_LIMIT_BYTES = 1000;
const STREAM_LIMIT_BYTES = 200;
function envText(obj, key, p) {
    const v = obj[key];
    if (v === undefined || v === null)
        return null;
    const limit = key === 'stream' ? STREAM_LIMIT_BYTES : TEXT_LIMIT_BYTES;
    if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > limit) {
        p.add(key, `must be a non-empty string of at most ${limit} bytes (UTF-8)`);
        return null;
    }
    const why = unstorable(v);
    if (why) {
        p.add(key, why);
        return null;
    }
    return v;
}
// One API item to a ledger event, or an EventValidationError listing every problem found
// (bounded), each naming its field.
export function toBotEvent(item) {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
        throw new EventValidationError('(event)', 'must be a JSON object');
    const obj = item;
    const p = new Problems();
    for (const key of Object.keys(obj)) {
        // Own keys only: `constructor` or `toString` are not envelope fields.
        if (!Object.hasOwn(ENVELOPE, key))
            p.add(key.length > 60 ? key.slice(0, 60) + '…' : key, `is not a known field (expected ${Object.keys(ENVELOPE).join(', ')})`);
    }
    const eventType = obj.event_type;
    const spec = typeof eventType === 'string' && Object.hasOwn(VOCABULARY, eventType) ? VOCABULARY[eventType] : null;
    if (!spec)
        p.add('event_type', `must be one of ${EVENT_TYPES.join(', ')}`);
    let occurredAt = '';
    try {
        occurredAt = checkTimestamp('occurred_at', obj.occurred_at);
    }
    catch (err) {
        if (!(err instanceof EventValidationError))
            throw err;
        p.add(err.field, err.reason);
    }
    const source = obj.source ?? 'bot';
    if (source !== 'bot' && source !== 'user' && source !== 'system')
        p.add('source', 'must be bot, user or system');
    const account = envText(obj, 'account', p);
    const actor = envText(obj, 'actor', p);
    const stream = envText(obj, 'stream', p);
    const sessionId = envText(obj, 'session_id', p);
    const idempotencyKey = envText(obj, 'idempotency_key', p);
    if (spec?.needsAccount && !account && obj.account == null)
        p.add('account', `is required for ${eventType}`);
    if (spec?.needsActor && !actor && obj.actor == null)
        p.add('actor', `is required for ${eventType}`);
    let payload;
    if (spec) {
        payload = checkObject('payload', spec.fields, obj.payload, p);
        // Cross-field rules only make sense once every field is well formed.
        if (payload && p.list.length === 0)
            spec.rules?.(payload, (field, reason) => p.add(field, reason));
    }
    if (p.list.length || !spec || !payload)
        throw EventValidationError.of(p.list);
    // Every string and free-form value was checked for what PostgreSQL cannot store by its
    // field's own check (schema.ts), so the text needs no second look here.
    const text = stringifyExact(payload);
    // An optional id field (cash_flow's flow_id) that was not given leaves the entity id empty.
    const entityId = spec.entity?.idField ? (payload[spec.entity.idField] == null ? null : String(payload[spec.entity.idField]))
        : spec.entity?.type === 'account' ? account : null;
    return {
        stream: stream ?? 'bot',
        occurredAt,
        source: source,
        eventType: eventType,
        entityType: spec.entity?.type ?? null,
        entityId,
        account,
        actor,
        sessionId,
        idempotencyKey,
        payload: text,
    };
}
// Any event a writer other than the API appends (`blotter append`): every event of a
// vocabulary type, and every event from the bot or a user, follows the vocabulary exactly
// as the API does; the relay's and the system's own types (ib_*, flex, ...) follow the
// envelope rules. `source` defaults to bot, as in the API.
export function toAnyEvent(value) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const obj = value;
        const source = obj.source ?? 'bot';
        const known = typeof obj.event_type === 'string' && Object.hasOwn(VOCABULARY, obj.event_type);
        if (!known && (source === 'ib' || source === 'flex' || source === 'system'))
            return toLedgerEvent(obj);
    }
    return toBotEvent(value);
}
export function parseAnyEventLine(line) {
    let value;
    try {
        value = parseExact(line);
    }
    catch (err) {
        throw new EventValidationError('(json)', err.message);
    }
    return toAnyEvent(value);
}
