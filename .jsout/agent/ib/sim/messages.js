// Builders for the messages the simulator sends. Each returns a frame *per server
// version*: the values are named, and the layout of the negotiated version (the same
// layouts the relay reads by, agent/ib/layouts.ts) decides which fields go on the wire and
// in which order. Numbers that must survive exactly are passed as text.
import { writeFrame } from "../layout.js";
import * as L from "../layouts.js";
export const IN = {
    TICK_PRICE: 1, ORDER_STATUS: 3, ERR_MSG: 4, OPEN_ORDER: 5, ACCT_VALUE: 6, PORTFOLIO_VALUE: 7,
    NEXT_VALID_ID: 9, EXECUTION_DATA: 11, MANAGED_ACCTS: 15, CURRENT_TIME: 49, OPEN_ORDER_END: 53,
    ACCT_DOWNLOAD_END: 54, EXECUTION_DATA_END: 55, COMMISSION_REPORT: 59, POSITION: 61, POSITION_END: 62,
    ACCOUNT_SUMMARY: 63, ACCOUNT_SUMMARY_END: 64, PNL: 94, COMPLETED_ORDER: 101,
};
export const OUT = {
    REQ_OPEN_ORDERS: 5, REQ_ACCOUNT_DATA: 6, REQ_EXECUTIONS: 7, REQ_IDS: 8, REQ_AUTO_OPEN_ORDERS: 15,
    REQ_ALL_OPEN_ORDERS: 16, REQ_MANAGED_ACCTS: 17, REQ_CURRENT_TIME: 49, REQ_POSITIONS: 61,
    REQ_ACCOUNT_SUMMARY: 62, CANCEL_ACCOUNT_SUMMARY: 63, START_API: 71, REQ_PNL: 92, REQ_COMPLETED_ORDERS: 99,
};
// Java's Double.MAX_VALUE: what TWS sends for "unset".
export const UNSET_DOUBLE = '1.7976931348623157E308';
const out = (layout, values, lists) => (sv) => writeFrame(layout, values, sv, lists);
const contract = (c) => ({
    con_id: c.conId, symbol: c.symbol, sec_type: c.secType, last_trade_date: c.lastTradeDate ?? '', strike: c.strike ?? '0', right: c.right ?? '',
    multiplier: c.multiplier ?? '', exchange: c.exchange, primary_exchange: c.exchange, currency: c.currency,
    local_symbol: c.localSymbol ?? c.symbol, trading_class: c.tradingClass ?? c.symbol,
});
// What TWS sends for an order's unused attributes (no combo legs, algo, conditions or
// scale). Its delta-neutral order type for a plain order is "None", not empty, so the
// delta-neutral fields follow (as in completedOrder frames recorded from a live Gateway).
const ORDER_DEFAULTS = {
    open_close: 'O', origin: 0, outside_rth: 0, hidden: 0, discretionary_amt: '0', short_sale_slot: 0, exempt_code: -1, auction_strategy: 0,
    block_order: 0, sweep_to_fill: 0, all_or_none: 0, oca_type: 3, e_trade_only: 0, firm_quote_only: 0, parent_id: 0, trigger_method: 0,
    volatility_type: 0, delta_neutral_order_type: 'None', delta_neutral_con_id: 0, delta_neutral_short_sale: 0, delta_neutral_short_sale_slot: 0,
    continuous_update: 0, reference_price_type: 0, opt_out_smart_routing: 0, not_held: 0, delta_neutral_contract: 0,
    solicited: 0, what_if: 0, randomize_size: 0, randomize_price: 0, adjustable_trailing_unit: 0, dont_use_auto_price_for_hedge: 0,
    is_oms_container: 0, discretionary_up_to_limit_price: 0, use_price_mgmt_algo: 0, auto_cancel_parent: 0, professional_customer: 0,
    include_overnight: 0, ref_futures_con_id: 0, imbalance_only: 0, route_marketable_to_bbo: 0, parent_perm_id: 0,
};
const order = (c, o) => ({
    ...ORDER_DEFAULTS, ...contract(c),
    order_id: o.orderId, action: o.action, total_quantity: o.totalQuantity, order_type: o.orderType, lmt_price: o.lmtPrice ?? '', aux_price: o.auxPrice ?? '',
    tif: o.tif, account: o.account, order_ref: o.orderRef ?? '', client_id: o.clientId, perm_id: o.permId, parent_id: o.parentId ?? 0, status: o.status,
    good_till_date: o.goodTillDate ?? '', model_code: o.modelCode ?? '', fa_profile: o.faProfile ?? '', ...o.fields,
});
export const msg = {
    nextValidId: (orderId) => out(L.NEXT_VALID_ID, { order_id: orderId }),
    managedAccounts: (accounts) => out(L.MANAGED_ACCTS, { accounts: accounts.join(',') }),
    currentTime: (epochSeconds) => out(L.CURRENT_TIME, { time: epochSeconds }),
    // id -1 with codes 1100/1101/1102/2104... reach the client as `info`, others as `error`.
    error: (id, code, text, advancedOrderReject = '') => out(L.ERR_MSG, { id, code, message: text, advanced_order_reject: advancedOrderReject }),
    execDetails: (reqId, c, e) => out(L.EXECUTION_DATA, {
        ...contract(c), req_id: reqId, order_id: e.orderId,
        exec_id: e.execId, time: e.time, account: e.account, exec_exchange: e.exchange, side: e.side, shares: e.shares, price: e.price, perm_id: e.permId,
        client_id: e.clientId, liquidation: e.liquidation ?? 0, cum_qty: e.cumQty, avg_price: e.avgPrice, order_ref: e.orderRef ?? '', ev_rule: e.evRule ?? '',
        ev_multiplier: e.evMultiplier ?? '', model_code: e.modelCode ?? '', last_liquidity: e.lastLiquidity ?? 1, pending_price_revision: e.pendingPriceRevision ?? false,
    }),
    execDetailsEnd: (reqId) => out(L.EXECUTION_DATA_END, { req_id: reqId }),
    commissionReport: (r) => out(L.COMMISSION_REPORT, {
        exec_id: r.execId, commission: r.commission, currency: r.currency, realized_pnl: r.realizedPNL ?? UNSET_DOUBLE, yield: r.yield ?? UNSET_DOUBLE, yield_redemption_date: r.yieldRedemptionDate ?? 0,
    }),
    position: (account, c, pos, avgCost) => out(L.POSITION, { ...contract(c), account, position: pos, avg_cost: avgCost }),
    positionEnd: () => out(L.POSITION_END, {}),
    accountSummary: (reqId, account, tag, value, currency) => out(L.ACCOUNT_SUMMARY, { req_id: reqId, account, tag, value, currency }),
    accountSummaryEnd: (reqId) => out(L.ACCOUNT_SUMMARY_END, { req_id: reqId }),
    orderStatus: (o) => out(L.ORDER_STATUS, {
        order_id: o.orderId, status: o.status, filled: o.filled, remaining: o.remaining, avg_fill_price: o.avgFillPrice, perm_id: o.permId, parent_id: o.parentId ?? 0,
        last_fill_price: o.lastFillPrice, client_id: o.clientId, why_held: o.whyHeld ?? '', mkt_cap_price: o.mktCapPrice ?? '0',
    }),
    accountValue: (key, value, currency, account) => out(L.ACCT_VALUE, { key, value, currency, account }),
    portfolioValue: (c, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, account) => out(L.PORTFOLIO_VALUE, {
        ...contract(c), position, market_price: marketPrice, market_value: marketValue, average_cost: averageCost, unrealized_pnl: unrealizedPNL, realized_pnl: realizedPNL, account,
    }),
    accountDownloadEnd: (account) => out(L.ACCT_DOWNLOAD_END, { account }),
    pnl: (reqId, daily, unrealized, realized) => out(L.PNL, { req_id: reqId, daily_pnl: daily, unrealized_pnl: unrealized, realized_pnl: realized }),
    openOrder: (c, o) => out(L.OPEN_ORDER, order(c, o), o.groups),
    openOrderEnd: () => out(L.OPEN_ORDER_END, {}),
    completedOrder: (c, o) => out(L.COMPLETED_ORDER, {
        ...order(c, o), filled_quantity: o.filledQuantity, completed_time: o.completedTime, completed_status: o.completedStatus, parent_perm_id: o.parentPermId ?? 0,
    }, o.groups),
    completedOrdersEnd: () => out(L.COMPLETED_ORDERS_END, {}),
};
