// Reconciliation at scale: one account with 100,000 fills over 250 days on both sides
// (the bot's and IB's, with commission reports) and 10,000 positions in both snapshots,
// a few hundred differences sprinkled in. Times one full reconciliation and one after a
// single new fill. Baseline, in the same run: reading both sides' fills and positions
// (what any comparison must at least do), so the ratio is the cost of the matching itself.
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { appendBatch } from "../agent/ledger/copy.js";
import { withBenchDatabase } from "./db.js";
const ACCOUNT = 'DU7777777';
function ev(e) {
    return { stream: 'bot', occurredAt: new Date().toISOString(), source: 'bot', entityType: null, entityId: null, account: ACCOUNT, actor: null, sessionId: null, idempotencyKey: null, ...e };
}
function dataset(fills, positions) {
    const day0 = Date.now() - 251 * 86_400_000;
    const bot = [];
    const ib = [];
    for (let i = 0; i < fills; i++) {
        const execId = `0000e0d5.${i.toString(16).padStart(8, '0')}.01.01`;
        const at = new Date(day0 + Math.floor(i / (fills / 250)) * 86_400_000 + (i % 400) * 60_000).toISOString();
        const conId = 100000 + (i % positions);
        const qty = String((i % 50) + 1);
        const price = (100 + (i % 997) / 100).toFixed(2);
        const side = i % 3 === 0 ? 'SELL' : 'BUY';
        // Every 1000th fill the bot never recorded; every 997th has the bot's price off.
        if (i % 1000 !== 7) {
            bot.push(ev({ eventType: 'execution', occurredAt: at, entityType: 'execution', entityId: execId, idempotencyKey: `b:${execId}`,
                payload: JSON.stringify({ exec_id: execId, order_ref: `s:${i >> 1}`, contract: { symbol: `S${conId}`, sec_type: 'STK', currency: 'USD', con_id: conId },
                    side, quantity: qty, price: i % 997 === 3 ? (Number(price) + 1).toFixed(2) : price, commission: '1.00', commission_currency: 'USD' }) }));
        }
        ib.push(ev({ stream: `ib:${ACCOUNT}`, source: 'ib', eventType: 'ib_execution', occurredAt: at, entityType: 'execution', entityId: execId, idempotencyKey: `ib:exec:${execId}`,
            payload: JSON.stringify({ exec_id: execId, exec_base: execId.slice(0, execId.lastIndexOf('.')), order_ref: `s:${i >> 1}`, perm_id: String(5000000 + (i >> 1)),
                contract: { con_id: String(conId), symbol: `S${conId}`, sec_type: 'STK', currency: 'USD' }, side: side === 'BUY' ? 'BOT' : 'SLD', shares: qty, price }) }));
        ib.push(ev({ stream: 'ib', source: 'ib', account: null, eventType: 'ib_commission', entityType: 'execution', entityId: execId, idempotencyKey: `ib:commission:${execId}`,
            payload: JSON.stringify({ exec_id: execId, commission: '1.00', currency: 'USD' }) }));
    }
    const rows = Array.from({ length: positions }, (_, k) => ({ conId: 100000 + k, qty: String(((k * 7) % 900) + 1), cost: (50 + (k % 300)).toFixed(2) }));
    ib.push(...rows.map((r) => ev({ stream: `ib:${ACCOUNT}`, source: 'ib', eventType: 'ib_position', entityType: 'position', entityId: `${ACCOUNT}:${r.conId}`,
        idempotencyKey: `ib:pos:${r.conId}`, payload: JSON.stringify({ contract: { con_id: String(r.conId), symbol: `S${r.conId}`, sec_type: 'STK', currency: 'USD' }, position: r.qty, avg_cost: r.cost, snapshot_id: 'bench:1' }) })));
    ib.push(ev({ stream: 'ib', source: 'ib', account: null, eventType: 'ib_snapshot_end', entityType: 'snapshot', entityId: 'positions', payload: JSON.stringify({ snapshot: 'positions', complete: true, snapshot_id: 'bench:1' }) }));
    bot.push(ev({ eventType: 'position_snapshot', entityType: 'account', entityId: ACCOUNT, payload: JSON.stringify({ positions: rows.map((r, k) => ({
                contract: { symbol: `S${r.conId}`, sec_type: 'STK', currency: 'USD', con_id: r.conId }, quantity: k % 500 === 11 ? String(Number(r.qty) + 1) : r.qty, avg_cost: r.cost
            })) }) }));
    return [bot, ib];
}
const seconds = (t) => Number(process.hrtime.bigint() - t) / 1e9;
export async function run(args) {
    const { values } = parseArgs({ args, options: { fills: { type: 'string' }, positions: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
    const nFills = Number(values.fills ?? 100_000);
    const nPositions = Number(values.positions ?? 10_000);
    return withBenchDatabase('recon', async (sql) => {
        const t0 = process.hrtime.bigint();
        for (const side of dataset(nFills, nPositions)) {
            for (let i = 0; i < side.length; i += 20_000)
                await appendBatch(sql, side.slice(i, i + 20_000));
        }
        const loadS = seconds(t0);
        await sql `vacuum analyze ledger.events`;
        const asOf = (await sql `select clock_timestamp()::text as t`)[0].t;
        let t = process.hrtime.bigint();
        // Both sides' fills, with their numbers cast as any comparison must.
        await sql `select count(*), sum(ledger.to_numeric(coalesce(payload ->> 'quantity', payload ->> 'shares')) * ledger.to_numeric(payload ->> 'price'))
                  from ledger.events where event_type in ('execution', 'ib_execution') and account = ${ACCOUNT} and recorded_at <= ${asOf}::text::timestamptz`;
        await sql `select count(*) from recon.ib_snapshot_positions(${ACCOUNT}, 'bench:1', ${asOf}::text::timestamptz)`;
        const baselineS = seconds(t);
        t = process.hrtime.bigint();
        const full = await sql `select entity, total, discrepancies, corrected from recon.reconcile(${ACCOUNT}, ${asOf}::text::timestamptz, 'all')`;
        const fullS = seconds(t);
        // One new fill on both sides, then the after-fill reconciliation.
        const execId = '0000e0d5.ffffffff.01.01';
        const at = new Date().toISOString();
        await appendBatch(sql, [
            ev({ eventType: 'execution', occurredAt: at, entityType: 'execution', entityId: execId, idempotencyKey: `b:${execId}`,
                payload: JSON.stringify({ exec_id: execId, contract: { symbol: 'S100000', sec_type: 'STK', currency: 'USD', con_id: 100000 }, side: 'BUY', quantity: '1', price: '100.00' }) }),
            ev({ stream: `ib:${ACCOUNT}`, source: 'ib', eventType: 'ib_execution', occurredAt: at, entityType: 'execution', entityId: execId, idempotencyKey: `ib:exec:${execId}`,
                payload: JSON.stringify({ exec_id: execId, exec_base: '0000e0d5.ffffffff.01', contract: { con_id: '100000', symbol: 'S100000', sec_type: 'STK', currency: 'USD' }, side: 'BOT', shares: '1', price: '100.00' }) }),
        ]);
        t = process.hrtime.bigint();
        await sql `select * from recon.reconcile(${ACCOUNT}, null, 'after_fill')`;
        const afterFillS = seconds(t);
        const summary = Object.fromEntries(full.map((r) => [r.entity, `${r.total} compared, ${r.discrepancies} breaks, ${r.corrected} corrected`]));
        return {
            case: 'recon', executions: nFills, positions: nPositions, load_s: +loadS.toFixed(2),
            baseline_read_s: +baselineS.toFixed(3), recon_full_s: +fullS.toFixed(3), full_vs_read: +(fullS / baselineS).toFixed(2),
            recon_after_fill_ms: +(afterFillS * 1000).toFixed(1), ...summary,
        };
    });
}
