// Builders for the messages the simulator sends, one per incoming message id, in the
// field order @stoqey/ib's decoder reads at server version ≥ 178 (PENDING_PRICE_REVISION).
// Numbers that must survive exactly are passed as text.
import type { Field } from './wire.ts';

export const IN = {
  TICK_PRICE: 1, ORDER_STATUS: 3, ERR_MSG: 4, OPEN_ORDER: 5, ACCT_VALUE: 6, PORTFOLIO_VALUE: 7,
  NEXT_VALID_ID: 9, EXECUTION_DATA: 11, MANAGED_ACCTS: 15, CURRENT_TIME: 49, OPEN_ORDER_END: 53,
  ACCT_DOWNLOAD_END: 54, EXECUTION_DATA_END: 55, COMMISSION_REPORT: 59, POSITION: 61, POSITION_END: 62,
  ACCOUNT_SUMMARY: 63, ACCOUNT_SUMMARY_END: 64, PNL: 94, COMPLETED_ORDER: 101,
} as const;

export const OUT = {
  REQ_OPEN_ORDERS: 5, REQ_ACCOUNT_DATA: 6, REQ_EXECUTIONS: 7, REQ_IDS: 8, REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16, REQ_MANAGED_ACCTS: 17, REQ_CURRENT_TIME: 49, REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62, CANCEL_ACCOUNT_SUMMARY: 63, START_API: 71, REQ_PNL: 92, REQ_COMPLETED_ORDERS: 99,
} as const;

export type SimContract = {
  conId: number; symbol: string; secType: string; lastTradeDate?: string; strike?: string; right?: string;
  multiplier?: string; exchange: string; currency: string; localSymbol?: string; tradingClass?: string;
};

export type SimExecution = {
  orderId: number; execId: string; time: string; account: string; exchange: string; side: 'BOT' | 'SLD';
  shares: string; price: string; permId: string; clientId: number; liquidation?: number; cumQty: string;
  avgPrice: string; orderRef?: string; evRule?: string; evMultiplier?: string; modelCode?: string; lastLiquidity?: number;
  pendingPriceRevision?: boolean;
};

export type SimOrder = {
  orderId: number; action: 'BUY' | 'SELL'; totalQuantity: string; orderType: string; lmtPrice?: string; auxPrice?: string;
  tif: string; account: string; orderRef?: string; clientId: number; permId: string; parentId?: number; status: string;
};

// Java's Double.MAX_VALUE: what TWS sends for "unset".
export const UNSET_DOUBLE = '1.7976931348623157E308';

export const msg = {
  nextValidId: (orderId: number): Field[] => [IN.NEXT_VALID_ID, 1, orderId],
  managedAccounts: (accounts: string[]): Field[] => [IN.MANAGED_ACCTS, 1, accounts.join(',')],
  currentTime: (epochSeconds: number): Field[] => [IN.CURRENT_TIME, 1, epochSeconds],
  // id -1 with codes 1100/1101/1102/2104... reach the client as `info`, others as `error`.
  error: (id: number, code: number, text: string, advancedRejectJson = ''): Field[] => [IN.ERR_MSG, 2, id, code, text, advancedRejectJson],
  execDetails: (reqId: number, c: SimContract, e: SimExecution): Field[] => [
    IN.EXECUTION_DATA, reqId, e.orderId,
    c.conId, c.symbol, c.secType, c.lastTradeDate ?? '', c.strike ?? '0', c.right ?? '', c.multiplier ?? '',
    c.exchange, c.currency, c.localSymbol ?? c.symbol, c.tradingClass ?? c.symbol,
    e.execId, e.time, e.account, e.exchange, e.side, e.shares, e.price, e.permId, e.clientId, e.liquidation ?? 0,
    e.cumQty, e.avgPrice, e.orderRef ?? '', e.evRule ?? '', e.evMultiplier ?? '', e.modelCode ?? '', e.lastLiquidity ?? 1,
    e.pendingPriceRevision ?? false,
  ],
  execDetailsEnd: (reqId: number): Field[] => [IN.EXECUTION_DATA_END, 1, reqId],
  commissionReport: (r: { execId: string; commission: string; currency: string; realizedPNL?: string; yield?: string; yieldRedemptionDate?: number }): Field[] => [
    IN.COMMISSION_REPORT, 1, r.execId, r.commission, r.currency, r.realizedPNL ?? UNSET_DOUBLE, r.yield ?? UNSET_DOUBLE, r.yieldRedemptionDate ?? 0,
  ],
  position: (account: string, c: SimContract, pos: string, avgCost: string): Field[] => [
    IN.POSITION, 3, account, c.conId, c.symbol, c.secType, c.lastTradeDate ?? '', c.strike ?? '0', c.right ?? '',
    c.multiplier ?? '', c.exchange, c.currency, c.localSymbol ?? c.symbol, c.tradingClass ?? c.symbol, pos, avgCost,
  ],
  positionEnd: (): Field[] => [IN.POSITION_END, 1],
  accountSummary: (reqId: number, account: string, tag: string, value: string, currency: string): Field[] => [IN.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency],
  accountSummaryEnd: (reqId: number): Field[] => [IN.ACCOUNT_SUMMARY_END, 1, reqId],
  // At server version ≥ MARKET_CAP_PRICE there is no version field.
  orderStatus: (o: { orderId: number; status: string; filled: string; remaining: string; avgFillPrice: string; permId: string; parentId?: number; lastFillPrice: string; clientId: number; whyHeld?: string; mktCapPrice?: string }): Field[] => [
    IN.ORDER_STATUS, o.orderId, o.status, o.filled, o.remaining, o.avgFillPrice, o.permId, o.parentId ?? 0, o.lastFillPrice, o.clientId, o.whyHeld ?? '', o.mktCapPrice ?? '0',
  ],
  accountValue: (key: string, value: string, currency: string, account: string): Field[] => [IN.ACCT_VALUE, 2, key, value, currency, account],
  portfolioValue: (c: SimContract, position: string, marketPrice: string, marketValue: string, averageCost: string, unrealizedPNL: string, realizedPNL: string, account: string): Field[] => [
    IN.PORTFOLIO_VALUE, 8, c.conId, c.symbol, c.secType, c.lastTradeDate ?? '', c.strike ?? '0', c.right ?? '', c.multiplier ?? '', c.exchange, c.currency,
    c.localSymbol ?? c.symbol, c.tradingClass ?? c.symbol, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, account,
  ],
  accountDownloadEnd: (account: string): Field[] => [IN.ACCT_DOWNLOAD_END, 1, account],
  pnl: (reqId: number, daily: string, unrealized: string, realized: string): Field[] => [IN.PNL, reqId, daily, unrealized, realized],
  // openOrder at server version 193, field by field as OrderDecoder reads it; every
  // optional block left empty (no combo legs, algo, conditions, delta-neutral, scale).
  openOrder: (c: SimContract, o: SimOrder): Field[] => [
    IN.OPEN_ORDER, o.orderId,
    c.conId, c.symbol, c.secType, c.lastTradeDate ?? '', c.strike ?? '0', c.right ?? '', c.multiplier ?? '', c.exchange, c.currency, c.localSymbol ?? c.symbol, c.tradingClass ?? c.symbol,
    o.action, o.totalQuantity, o.orderType, o.lmtPrice ?? '', o.auxPrice ?? '', o.tif, '' /* ocaGroup */, o.account, 'O' /* openClose */, 0 /* origin */,
    o.orderRef ?? '', o.clientId, o.permId, 0 /* outsideRth */, 0 /* hidden */, '0' /* discretionaryAmt */, '' /* goodAfterTime */, '' /* sharesAllocation */,
    '', '', '' /* faGroup, faMethod, faPercentage */, '' /* modelCode */, '' /* goodTillDate */, '' /* rule80A */, '' /* percentOffset */, '' /* settlingFirm */,
    0, '', -1 /* shortSaleSlot, designatedLocation, exemptCode */, 0 /* auctionStrategy */, '', '', '' /* startingPrice, stockRefPrice, delta */,
    '', '' /* stockRangeLower, stockRangeUpper */, '' /* displaySize */, 0, 0, 0 /* blockOrder, sweepToFill, allOrNone */, '' /* minQty */, 3 /* ocaType */,
    0, 0 /* eTradeOnly, firmQuoteOnly */, '' /* nbboPriceCap */, o.parentId ?? 0, 0 /* triggerMethod */,
    '', 0, '', '' /* volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice */, 0, 0 /* continuousUpdate, referencePriceType */,
    '', '' /* trailStopPrice, trailingPercent */, '', '' /* basisPoints, basisPointsType */, '' /* comboLegsDescription */, 0, 0 /* combo legs, order combo legs */,
    0 /* smartComboRoutingParams */, '', '', '' /* scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement */, '' /* hedgeType */, 0 /* optOutSmartRouting */,
    '', '' /* clearingAccount, clearingIntent */, 0 /* notHeld */, 0 /* deltaNeutralContract */, '' /* algoStrategy */, 0 /* solicited */,
    0 /* whatIf */, o.status, '', '', '', '', '', '' /* margins before and change */, '', '', '' /* margins after */, '', '', '' /* commission, min, max */, '' /* commissionCurrency */, '' /* warningText */,
    0, 0 /* randomizeSize, randomizePrice */, 0 /* conditions */, '' /* adjustedOrderType */, '' /* triggerPrice */, '', '' /* trailStopPrice, lmtPriceOffset */,
    '', '', '' /* adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount */, 0 /* adjustableTrailingUnit */, '', '', '' /* softDollarTier */,
    '' /* cashQty */, 0 /* dontUseAutoPriceForHedge */, 0 /* isOmsContainer */, 0 /* discretionaryUpToLimitPrice */, 0 /* usePriceMgmtAlgo */, '' /* duration */,
    '' /* postToAts */, 0 /* autoCancelParent */, '', '', '', '', '' /* minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf */,
    '' /* customerAccount */, 0 /* professionalCustomer */, '' /* bondAccruedInterest */, 0 /* includeOvernight */, '', '' /* extOperator, manualOrderIndicator */,
  ],
  openOrderEnd: (): Field[] => [IN.OPEN_ORDER_END, 1],
  // completedOrder as decodeMsg_COMPLETED_ORDER reads it (no order id, no version; the
  // decoder treats every versioned field as present).
  completedOrder: (c: SimContract, o: SimOrder & { filledQuantity: string; completedTime: string; completedStatus: string }): Field[] => [
    IN.COMPLETED_ORDER,
    c.conId, c.symbol, c.secType, c.lastTradeDate ?? '', c.strike ?? '0', c.right ?? '', c.multiplier ?? '', c.exchange, c.currency, c.localSymbol ?? c.symbol, c.tradingClass ?? c.symbol,
    o.action, o.totalQuantity, o.orderType, o.lmtPrice ?? '', o.auxPrice ?? '', o.tif, '' /* ocaGroup */, o.account, 'O' /* openClose */, 0 /* origin */,
    o.orderRef ?? '', o.permId, 0 /* outsideRth */, 0 /* hidden */, '0' /* discretionaryAmt */, '' /* goodAfterTime */, '', '', '' /* fa group, method, percentage */,
    '' /* modelCode */, '' /* goodTillDate */, '' /* rule80A */, '' /* percentOffset */, '' /* settlingFirm */, 0, '', -1 /* short sale */, '', '', '' /* box */, '', '' /* stock range */,
    '' /* displaySize */, 0, 0 /* sweepToFill, allOrNone */, '' /* minQty */, 3 /* ocaType */, 0 /* triggerMethod */,
    '', 0, '', '' /* volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice */, 0, 0 /* continuousUpdate, referencePriceType */,
    '', '' /* trail */, '' /* comboLegsDescription */, 0, 0 /* combo legs */, 0 /* smart combo routing */, '', '', '' /* scale */, '' /* hedgeType */,
    '', '' /* clearing */, 0 /* notHeld */, 0 /* deltaNeutralContract */, '' /* algoStrategy */, 0 /* solicited */, o.status, 0, 0 /* randomize */,
    0 /* conditions */, '', '' /* trailStopPrice, lmtPriceOffset */, '' /* cashQty */, 0 /* dontUseAutoPriceForHedge */, 0 /* isOmsContainer */,
    '' /* autoCancelDate */, o.filledQuantity, 0 /* refFuturesConId */, 0 /* autoCancelParent */, '' /* shareholder */, 0 /* imbalanceOnly */,
    0 /* routeMarketableToBbo */, 0 /* parentPermId */, o.completedTime, o.completedStatus, '', '', '', '', '' /* peg best/mid */,
    '' /* customerAccount */, 0 /* professionalCustomer */,
  ],
  completedOrdersEnd: (): Field[] => [102],
};
