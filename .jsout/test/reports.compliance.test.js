// Compliance and reconciliation reports: one order's whole story (bot, IB's messages tied
// by permId, fills, reconciliation's correction) in ledger order with its chain position;
// reviews as user actions; breaks per day, category and severity.
import t from 'tap';
import { testDb } from "./helpers/db.js";
import { ACCOUNT, botFill, ibCommission, ibFill, put } from "./helpers/recon.js";
t.test('order trail, user actions and the reconciliation report', async (t) => {
    const { sql } = await testDb(t);
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await put(sql, [
        { type: 'order_submitted', at, key: 'o:1', payload: { client_order_id: 'c1', order_ref: 'bot:1', side: 'BUY', quantity: '100', order_type: 'LMT', limit_price: '187.30' } },
        { type: 'ib_open_order', source: 'ib', at, entity: '9001', payload: { order_id: '7', perm_id: '9001', order_ref: 'bot:1', account: ACCOUNT } },
        { type: 'ib_order_status', source: 'ib', at, account: null, entity: '9001', payload: { order_id: '7', perm_id: '9001', status: 'Filled' } },
        { ...ibFill('0000ee01.00000001.01.01', { orderRef: 'bot:1', at, qty: '100', price: '187.25' }) },
        ibCommission('0000ee01.00000001.01.01', '1.00'),
        // the bot recorded a different quantity: reconciliation opens a break
        botFill('0000ee01.00000001.01.01', { orderRef: 'bot:1', at, qty: '90', price: '187.25', commission: '1.00' }),
    ]);
    await sql `select * from recon.reconcile(${ACCOUNT}, null, 'executions')`;
    const [b] = await sql `select break_id from recon.breaks where account = ${ACCOUNT}`;
    t.ok(b, 'a break opened');
    await sql `select recon.review_break(${b.break_id}, 'resolve', 'bot double-counted a partial fill; fixed in v1.2')`;
    const trail = await sql `select event_type, source, stream, stream_seq, hash from reports.order_trail where order_key = 'bot:1' order by seq`;
    t.same(trail.map((r) => r.event_type), ['order_submitted', 'ib_open_order', 'ib_order_status', 'ib_execution', 'execution'], "the bot's order, IB's messages (the status tied by permId), both fills, in ledger order");
    const [chk] = await sql `select count(*)::int as n from reports.order_trail o join ledger.events e on e.stream = o.stream and e.stream_seq = o.stream_seq
                           where o.order_key = 'bot:1' and encode(e.hash, 'hex') = o.hash`;
    t.equal(chk.n, 5, 'each row names its place in the chain and its hash');
    const ua = await sql `select event_type, actor, payload ->> 'note' as note from reports.user_actions`;
    t.match(ua, [{ event_type: 'recon_break_review', note: /double-counted/ }]);
    const rep = await sql `select category, runs, opened, resolved, open_now, avg_time_to_close from reports.reconciliation where account = ${ACCOUNT}`;
    t.equal(rep.length, 1);
    t.match(rep[0], { category: 'execution.mismatch', runs: 1, opened: 1, resolved: 1, open_now: 0 });
    t.ok(rep[0].avg_time_to_close !== null, 'time to resolve measured');
});
t.test('every column of every report has a comment', async (t) => {
    const { sql } = await testDb(t);
    const missing = await sql `select c.relname || '.' || a.attname as col
                              from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'reports'
                              join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                             where c.relkind in ('v', 'm') and col_description(c.oid, a.attnum) is null`;
    t.same(missing.map((r) => r.col), []);
    const views = await sql `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'reports'
                           where c.relkind in ('v', 'm') and obj_description(c.oid, 'pg_class') is null`;
    t.same(views.map((r) => r.relname), [], 'and every report a description');
});
t.test('retention status: oldest and newest per family, and the months past retention', async (t) => {
    const { sql } = await testDb(t);
    // Metrics are kept a year (retention.policies): a month from 2024 is wholly past it.
    await sql.begin(async (tx) => {
        await tx `set local role blotter_owner`; // as ops.ensure_partitions makes them
        await tx `create table ops.metrics_202401 partition of ops.metrics for values from ('2024-01-01') to ('2024-02-01')`;
    });
    await sql `insert into ops.metrics (observed_at, name, value) values ('2024-01-15T12:00:00Z', 'pnl', 1), (now(), 'pnl', 2)`;
    await sql `analyze ops.metrics`;
    await put(sql, [{ type: 'signal', payload: { signal_id: 's1' } }]);
    const rows = await sql `select family, table_name, keep::text as keep, locked, oldest, newest, partitions_due, rows_due_estimate::int as due_rows, first_due_at, due_before
                           from reports.retention_status order by family`;
    t.same(rows.map((r) => r.family), ['ledger_events', 'ops_logs', 'ops_metrics']);
    const m = rows.find((r) => r.family === 'ops_metrics');
    t.same([m.keep, m.locked], ['1 year', false]);
    t.equal(m.oldest.toISOString(), '2024-01-15T12:00:00.000Z', 'oldest from the oldest month with rows');
    t.ok(Date.now() - m.newest.getTime() < 600_000, 'newest from the newest month with rows');
    t.same([m.partitions_due, m.due_rows], [['ops.metrics_202401'], 1], 'January 2024 is wholly past a year');
    t.equal(m.first_due_at.toISOString(), '2025-01-15T12:00:00.000Z');
    const l = rows.find((r) => r.family === 'ledger_events');
    t.same([l.keep, l.locked, l.partitions_due], ['7 years', true, []], 'the ledger is kept 7 years, locked: nothing due');
    t.ok(l.oldest !== null && l.newest !== null);
    t.equal(rows.find((r) => r.family === 'ops_logs').oldest, null, 'an empty log: no oldest, nothing due');
});
