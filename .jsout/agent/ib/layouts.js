// Every TWS message the relay records or the simulator sends, as a layout per server
// version, taken read by read from @stoqey/ib 1.6.10's decoder (dist/core/io/decoder.js,
// decodeMsg_*) and its MIN_SERVER_VER conditions. The two order messages are in
// order-layout.ts. Below a given server version several messages carry their own version
// field right after the id (execDetails below 136, orderStatus below 131, openOrder below
// 145); the field sets inside are then gated by that message version too.
import { both, f, fields, sv, v, version } from "./layout.js";
import { COMPLETED_ORDER, OPEN_ORDER } from "./order-layout.js";
export { COMPLETED_ORDER, OPEN_ORDER };
// What the decoder assumes when orderStatus has no version field: every field present.
const ALL = Number.MAX_SAFE_INTEGER;
export const ORDER_STATUS = {
    id: 3, event: 'orderStatus', decoderName: 'ORDER_STATUS',
    items: [
        version({ below: 131, implied: ALL, sends: 6 }),
        ...fields('order_id status filled remaining avg_fill_price'),
        f('perm_id', v(2)), f('parent_id', v(3)), f('last_fill_price', v(4)), f('client_id', v(5)), f('why_held', v(6)),
        f('mkt_cap_price', sv(131)),
    ],
};
// Version 1 carried the text alone; TWS has sent version 2 for as long as the library
// negotiates (100+). id -1 makes it a notice (1100, 2104, ...), any other id an error.
export const ERR_MSG = {
    id: 4, event: 'error', decoderName: 'ERR_MSG',
    items: [
        version({ sends: 2 }),
        f('message', v(0, 2)),
        ...fields('id code message', v(2)),
        f('advanced_order_reject', both(v(2), sv(166))),
    ],
};
export const ACCT_VALUE = {
    id: 6, event: 'updateAccountValue', decoderName: 'ACCT_VALUE',
    items: [version({ sends: 2 }), ...fields('key value currency account')],
};
// (The decoder also reads a second primaryExch at message version 6 on server version 39,
// which is below anything the library negotiates.)
export const PORTFOLIO_VALUE = {
    id: 7, event: 'updatePortfolio', decoderName: 'PORTFOLIO_VALUE',
    items: [
        version({ sends: 8 }),
        f('con_id', v(6)), ...fields('symbol sec_type last_trade_date strike right'), ...fields('multiplier primary_exchange', v(7)),
        f('currency'), f('local_symbol', v(2)), f('trading_class', v(8)),
        ...fields('position market_price market_value'), ...fields('average_cost unrealized_pnl realized_pnl', v(3)), f('account', v(4)),
    ],
};
export const EXECUTION_DATA = {
    id: 11, event: 'execDetails', decoderName: 'EXECUTION_DATA',
    items: [
        version({ below: 136, sends: 10 }),
        f('req_id', v(7)), f('order_id'),
        f('con_id', v(5)), ...fields('symbol sec_type last_trade_date strike right'), f('multiplier', v(9)),
        ...fields('exchange currency local_symbol'), f('trading_class', v(10)),
        ...fields('exec_id time account exec_exchange side shares price'),
        f('perm_id', v(2)), f('client_id', v(3)), f('liquidation', v(4)), ...fields('cum_qty avg_price', v(6)), f('order_ref', v(8)),
        ...fields('ev_rule ev_multiplier', v(9)),
        f('model_code', sv(103)), f('last_liquidity', sv(136)), f('pending_price_revision', sv(178)),
    ],
};
export const COMMISSION_REPORT = {
    id: 59, event: 'commissionReport', decoderName: 'COMMISSION_REPORT',
    items: [version({ sends: 1 }), ...fields('exec_id commission currency realized_pnl yield yield_redemption_date')],
};
export const POSITION = {
    id: 61, event: 'position', decoderName: 'POSITION',
    items: [
        version({ sends: 3 }),
        ...fields('account con_id symbol sec_type last_trade_date strike right multiplier exchange currency local_symbol'),
        f('trading_class', v(2)), f('position'), f('avg_cost', v(3)),
    ],
};
export const ACCOUNT_SUMMARY = {
    id: 63, event: 'accountSummary', decoderName: 'ACCOUNT_SUMMARY',
    items: [version({ sends: 1 }), ...fields('req_id account tag value currency')],
};
export const PNL = {
    id: 94, event: 'pnl', decoderName: 'PNL',
    items: [...fields('req_id daily_pnl'), f('unrealized_pnl', sv(129)), f('realized_pnl', sv(135))],
};
// The messages the relay records, each from its own wire text by its layout.
export const RECORDED = [ORDER_STATUS, ERR_MSG, OPEN_ORDER, ACCT_VALUE, PORTFOLIO_VALUE, EXECUTION_DATA, COMMISSION_REPORT, POSITION, ACCOUNT_SUMMARY, PNL, COMPLETED_ORDER];
// Messages the relay takes from the library's decoded events only (ids, markers); the
// simulator writes them by these layouts too. None changes between 100 and 193.
const plain = (id, event, decoderName, names = '') => ({ id, event, decoderName, items: [version({ sends: 1 }), ...fields(names)] });
export const NEXT_VALID_ID = plain(9, 'nextValidId', 'NEXT_VALID_ID', 'order_id');
export const MANAGED_ACCTS = plain(15, 'managedAccounts', 'MANAGED_ACCTS', 'accounts');
export const CURRENT_TIME = plain(49, 'currentTime', 'CURRENT_TIME', 'time');
export const OPEN_ORDER_END = plain(53, 'openOrderEnd', 'OPEN_ORDER_END');
export const ACCT_DOWNLOAD_END = plain(54, 'accountDownloadEnd', 'ACCT_DOWNLOAD_END', 'account');
export const EXECUTION_DATA_END = plain(55, 'execDetailsEnd', 'EXECUTION_DATA_END', 'req_id');
export const POSITION_END = plain(62, 'positionEnd', 'POSITION_END');
export const ACCOUNT_SUMMARY_END = plain(64, 'accountSummaryEnd', 'ACCOUNT_SUMMARY_END', 'req_id');
export const COMPLETED_ORDERS_END = { id: 102, event: 'completedOrdersEnd', decoderName: 'COMPLETED_ORDERS_END', items: [] };
// Requests the relay makes that a server version may not serve (the library refuses to
// send them below these versions).
export const REQUEST_MIN_VERSION = { pnl: 127, completed_orders: 150 };
