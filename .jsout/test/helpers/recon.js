export const ACCOUNT = 'DU1234567';
export async function put(sql, evs) {
    for (const e of evs) {
        await sql `insert into ledger.events (stream, occurred_at, source, event_type, entity_id, account, idempotency_key, payload)
              values (${e.stream ?? (e.source === 'ib' ? `ib:${ACCOUNT}` : 'bot')}, ${e.at ?? new Date().toISOString()}::text::timestamptz,
                      ${e.source ?? 'bot'}, ${e.type}, ${e.entity ?? null}, ${e.account === undefined ? ACCOUNT : e.account},
                      ${e.key ?? null}, ${JSON.stringify(e.payload)}::text::jsonb)`;
    }
}
// The materialized reports (reports.fills, trades, daily_summary, ...) show what was last
// refreshed: a test refreshes them after writing, as the agent's reports_refresh task would.
export async function refreshReports(sql) {
    await sql `select * from reports.refresh('test')`;
}
const CONTRACT = { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 };
const IB_CONTRACT = { con_id: '265598', symbol: 'AAPL', sec_type: 'STK', currency: 'USD', exchange: 'SMART' };
export function botFill(execId, o = {}) {
    return { type: 'execution', at: o.at, entity: execId, payload: {
            exec_id: execId, order_ref: o.orderRef, contract: CONTRACT, side: o.side ?? 'BUY', quantity: o.qty ?? '100', price: o.price ?? '187.25',
            ...(o.commission ? { commission: o.commission, commission_currency: 'USD' } : {}),
        } };
}
export function ibFill(execId, o = {}) {
    const base = execId.includes('.') ? execId.slice(0, execId.lastIndexOf('.')) : execId;
    return { type: 'ib_execution', source: 'ib', at: o.at, entity: execId, key: `ib:exec:${execId}`, payload: {
            exec_id: execId, exec_base: base, order_ref: o.orderRef ?? null, perm_id: '9001', contract: { ...IB_CONTRACT, con_id: o.conId ?? '265598' },
            side: o.side ?? 'BOT', shares: o.qty ?? '100', price: o.price ?? '187.25',
        } };
}
export function ibCommission(execId, commission) {
    return { type: 'ib_commission', source: 'ib', stream: 'ib', account: null, entity: execId, key: `ib:commission:${execId}`,
        payload: { exec_id: execId, commission, currency: 'USD', realized_pnl: null } };
}
export function ibPositions(snapshot, rows, complete = true) {
    const evs = rows.map((r) => ({ type: 'ib_position', source: 'ib', entity: `${ACCOUNT}:${r.conId}`, payload: {
            contract: { ...IB_CONTRACT, con_id: r.conId, symbol: r.symbol ?? 'AAPL' }, position: r.qty, avg_cost: r.avgCost ?? '187.25', snapshot_id: snapshot,
        } }));
    if (complete)
        evs.push({ type: 'ib_snapshot_end', source: 'ib', stream: 'ib', account: null, entity: 'positions', payload: { snapshot: 'positions', complete: true, snapshot_id: snapshot } });
    return evs;
}
export function botPositions(rows) {
    return { type: 'position_snapshot', payload: { positions: rows.map((r) => ({
                contract: { symbol: r.symbol ?? 'AAPL', sec_type: 'STK', currency: 'USD', ...(r.conId ? { con_id: r.conId } : {}) }, quantity: r.qty, ...(r.avgCost ? { avg_cost: r.avgCost } : {}),
            })) } };
}
