// One trading day's broker state for a given server version, and the server versions
// worth playing it at: every version where the layout of a message the relay records
// changes (computed from the layouts, so a new field adds its version here by itself),
// where a request the relay makes becomes available, and the versions real TWS and
// Gateway sessions were recorded at. Tests run the relay and the raw client at each.
import { changeVersions } from "../layout.js";
import { RECORDED, REQUEST_MIN_VERSION } from "../layouts.js";
import { MAX_SERVER_VERSION, MIN_SERVER_VERSION } from "./wire.js";
// Versions seen in recordings of real sessions by other client projects (2018-2025).
export const RECORDED_SESSION_VERSIONS = [118, 165, 173, 176];
export function versionsToTest() {
    const all = new Set([MIN_SERVER_VERSION, MAX_SERVER_VERSION, ...RECORDED_SESSION_VERSIONS, ...Object.values(REQUEST_MIN_VERSION)]);
    for (const l of RECORDED)
        for (const v of changeVersions(l, MIN_SERVER_VERSION, MAX_SERVER_VERSION))
            all.add(v);
    return [...all].sort((a, b) => a - b);
}
export const AAPL = { conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' };
// Everything distinct per version (account, ids), so days at many versions share one ledger.
export function tradingDay(version) {
    const account = `DU${version}`;
    const execution = {
        orderId: 101, execId: `0000${version}.65710001.01.01`, time: '20261126  09:30:01 US/Eastern', account, exchange: 'ISLAND', side: 'BOT',
        shares: '1234.5678', price: '123.456789', permId: '9007199254740993', clientId: 7, liquidation: 0, cumQty: '1234.5678', avgPrice: '123.456789',
        orderRef: `v${version}:101`, evRule: 'aussieBond:YearsToExpiration=3', evMultiplier: '0.5', modelCode: 'M1', lastLiquidity: 2, pendingPriceRevision: true,
    };
    const live = { ...execution, execId: `0000${version}.65710002.01.01`, side: 'SLD', shares: '0.0001', price: '187.25', cumQty: '0.0001', avgPrice: '187.25', pendingPriceRevision: false };
    const openOrder = {
        orderId: 102, action: 'BUY', totalQuantity: '150', orderType: 'LMT', lmtPrice: '187.30', tif: 'GTD', account, orderRef: `v${version}:102`, clientId: 7,
        permId: String(1_900_000_000 + version), status: 'Submitted', goodTillDate: '20261231 23:59:59', modelCode: 'M1',
    };
    const completedOrder = {
        orderId: 0, action: 'SELL', totalQuantity: '20', orderType: 'LMT', lmtPrice: '190.5', tif: 'GTD', account, orderRef: `v${version}:103`, clientId: 0,
        permId: String(2_900_000_000 + version), status: 'Filled', goodTillDate: '20261130 16:00:00', modelCode: 'M2', filledQuantity: '20',
        completedTime: '20261126 15:59:59 America/New_York', completedStatus: 'Filled Size: 20', parentPermId: '1900000100',
    };
    const state = {
        accounts: [account],
        executions: [{ contract: AAPL, execution, commission: { commission: '1.0005', currency: 'USD', realizedPNL: '12.34' } }],
        positions: [{ account, contract: AAPL, pos: '-0.5', avgCost: '187.2533' }],
        summary: [{ account, tag: 'NetLiquidation', value: '100000.01', currency: 'USD' }],
        accountValues: [{ account, key: 'CashBalance', value: '71880.005', currency: 'USD' }],
        portfolio: [{ account, contract: AAPL, position: '150', marketPrice: '187.3', marketValue: '28095', averageCost: '187.2533', unrealizedPNL: '7.005', realizedPNL: '0.5' }],
        pnl: [{ account, daily: `-${version}.5`, unrealized: '7.005', realized: '5.5' }],
        openOrders: [{ contract: AAPL, order: openOrder }],
        completedOrders: [{ contract: AAPL, order: completedOrder }],
    };
    const orderStatus = { orderId: 102, status: 'Filled', filled: '150', remaining: '0', avgFillPrice: '187.2533', permId: openOrder.permId, lastFillPrice: '187.26', clientId: 7, mktCapPrice: '187.5' };
    return { account, state, execution, live, openOrder, completedOrder, orderStatus, advancedReject: '{"reason":"test"}' };
}
