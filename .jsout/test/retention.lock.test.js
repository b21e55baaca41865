// The retention lock: policies per family (the ledger kept 7 years and locked from the
// start), lengthened freely, never shortened, unlocked or removed once locked — refused for
// the owner as for anyone, by set_policy and by a plain UPDATE alike — every change an
// event; and the months a policy keeps cannot be dropped or detached, nor the lock's
// triggers disabled or dropped, by the owner.
import t from 'tap';
import { testDb } from "./helpers/db.js";
const asOwner = (sql, fn) => sql.begin(async (tx) => {
    await tx `set local role blotter_owner`;
    return fn(tx);
});
const month = (d) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
t.test('policies: the ledger locked at 7 years; lengthen yes, shorten, unlock or remove no; every change an event', async (t) => {
    const { sql } = await testDb(t);
    const rows = await sql `select family, keep::text as keep, locked from retention.policies order by family`;
    t.same(rows, [
        { family: 'file_logs', keep: '1 year', locked: false }, { family: 'job_history', keep: '90 days', locked: false },
        { family: 'ledger_events', keep: '7 years', locked: true }, { family: 'ops_logs', keep: '3 years', locked: false },
        { family: 'ops_metrics', keep: '1 year', locked: false },
    ]);
    const [longer] = await sql `select family, keep::text as keep, locked, changed from retention.set_policy('ledger_events', '10 years')`;
    t.same(longer, { family: 'ledger_events', keep: '10 years', locked: true, changed: true }, 'lengthened');
    await t.rejects(sql `select * from retention.set_policy('ledger_events', '5 years')`, /retention lock: the ledger_events policy is locked at keep 10 years; it can be lengthened, not shortened to 5 years/);
    await t.rejects(asOwner(sql, (tx) => tx `update retention.policies set keep = '1 day' where family = 'ledger_events'`), /retention lock/, 'the owner\'s UPDATE too');
    await t.rejects(asOwner(sql, (tx) => tx `update retention.policies set locked = false where family = 'ledger_events'`), /a lock cannot be lifted/);
    await t.rejects(asOwner(sql, (tx) => tx `delete from retention.policies where family = 'ledger_events'`), /locked and cannot be removed/);
    await t.rejects(asOwner(sql, (tx) => tx `truncate retention.policies`), /cannot be truncated/);
    await t.rejects(sql `select * from retention.set_policy('ledger', '5 years')`, /no family ledger; the families are/);
    await t.rejects(sql `select * from retention.set_policy('ops_logs', '-1 day')`, /keep must be a positive interval/);
    // an unlocked family: shortened at will, until it is locked
    await sql `select * from retention.set_policy('ops_logs', '2 years')`;
    await sql `select * from retention.set_policy('ops_logs', '2 years', true)`;
    await t.rejects(sql `select * from retention.set_policy('ops_logs', '1 year')`, /the ops_logs policy is locked at keep 2 years/);
    const events = await sql `select actor, payload from ledger.events where stream = 'retention' and event_type = 'retention_policy_changed' order by seq`;
    t.same(events.map((e) => [e.payload.family, e.payload.keep_before, e.payload.keep, e.payload.locked_before, e.payload.locked]), [
        ['ledger_events', '7 years', '10 years', true, true],
        ['ops_logs', '3 years', '2 years', false, false],
        ['ops_logs', '2 years', '2 years', false, true],
    ], 'each change, with before and after; refused ones left nothing');
    t.ok(events.every((e) => typeof e.actor === 'string' && e.actor.length > 0), 'and who');
    const [v] = await sql `select count(*)::int as bad from ledger.verify() where reason is not null`;
    t.equal(v.bad, 0, 'in the chain');
});
t.test('the months a policy keeps cannot be dropped or detached by the owner; older ones can', async (t) => {
    const { sql } = await testDb(t);
    const now = month(new Date());
    await t.rejects(asOwner(sql, (tx) => tx.unsafe(`drop table ledger.events_${now}`)), new RegExp(`retention lock: ledger.events_${now} holds .* records that the ledger_events policy still keeps; it cannot be dropped`));
    await t.rejects(asOwner(sql, (tx) => tx.unsafe(`alter table ledger.events detach partition ledger.events_${now}`)), /it cannot be detached/);
    await t.rejects(asOwner(sql, (tx) => tx.unsafe(`drop table ops.logs_${now}`)), /the ops_logs policy still keeps/);
    await t.rejects(asOwner(sql, (tx) => tx.unsafe('drop table ledger.events cascade')), /retention lock/);
    await t.rejects(asOwner(sql, (tx) => tx.unsafe('drop schema ledger cascade')), /retention lock/);
    await t.rejects(asOwner(sql, (tx) => tx.unsafe('alter table retention.policies disable trigger all')), /cannot be disabled/);
    await t.rejects(asOwner(sql, (tx) => tx.unsafe('drop trigger _100_guard on retention.policies')), /cannot be dropped/);
    t.equal((await sql `select count(*)::int as n from pg_inherits where inhparent = 'ledger.events'::regclass and inhrelid = ${`ledger.events_${now}`}::regclass`)[0].n, 1, 'still attached');
    // a month past the policy: 2018 for the ledger (7 years), 2024 for metrics (1 year)
    await asOwner(sql, async (tx) => {
        await tx `create table ledger.events_201801 partition of ledger.events for values from ('2018-01-01') to ('2018-02-01')`;
        await tx `create table ops.metrics_202401 partition of ops.metrics for values from ('2024-01-01') to ('2024-02-01')`;
    });
    await t.resolves(asOwner(sql, (tx) => tx `alter table ledger.events detach partition ledger.events_201801`), 'a month past retention detaches');
    await t.resolves(asOwner(sql, (tx) => tx `drop table ledger.events_201801`), 'and drops');
    await t.resolves(asOwner(sql, (tx) => tx `drop table ops.metrics_202401`));
    // lengthening the policy brings a month back under it
    await asOwner(sql, (tx) => tx `create table ops.metrics_202402 partition of ops.metrics for values from ('2024-02-01') to ('2024-03-01')`);
    await sql `select * from retention.set_policy('ops_metrics', '5 years')`;
    await t.rejects(asOwner(sql, (tx) => tx `drop table ops.metrics_202402`), /the ops_metrics policy still keeps/);
    await t.resolves(asOwner(sql, (tx) => tx `drop materialized view reports.execution_quality cascade`), 'other drops are not the guard\'s business');
});
t.test('blotter retention status and set', async (t) => {
    const { url } = await testDb(t);
    const { runCli } = await import("./helpers/db.js");
    const env = { DATABASE_URL: url };
    const s = await runCli(['retention', 'status'], { env });
    t.equal(s.code, 0, s.stderr);
    t.match(s.stdout, /^ledger_events\s+keep 7 years\s+locked/m);
    t.match(s.stdout, /^ops_logs\s+keep 3 years\s+unlocked/m);
    const set = await runCli(['retention', 'set', 'ops_metrics', '2 years', '--lock'], { env });
    t.equal(set.stdout, 'ops_metrics: keep 2 years, locked\n');
    const refused = await runCli(['retention', 'set', 'ops_metrics', '1 year'], { env });
    t.equal(refused.code, 2);
    t.match(refused.stderr, /retention lock: the ops_metrics policy is locked at keep 2 years; it can be lengthened, not shortened to 1 year/);
    t.match((await runCli(['retention', 'set', 'ops_metrics'], { env })).stderr, /expected FAMILY and KEEP/);
    const j = JSON.parse((await runCli(['retention', 'status', '--json'], { env })).stdout);
    t.equal(j.policies.find((p) => p.family === 'ops_metrics').keep, '2 years');
});
t.test('the config\'s retention is the least kept: lengthens, never shortens, locks what it lists', async (t) => {
    const { sql, url } = await testDb(t);
    const { applyRetention } = await import("../agent/retention.js");
    const { loadConfig } = await import("../agent/config.js");
    const cfg = loadConfig({ env: { BLOTTER_RETENTION_OPS_LOGS: '5 years', BLOTTER_RETENTION_OPS_METRICS: '1 month', BLOTTER_RETENTION_LEDGER_EVENTS: '5 years', BLOTTER_RETENTION_LOCK: 'ledger_events,ops_logs' } });
    const lines = [];
    t.same(await applyRetention(url, cfg.retention, (m) => lines.push(m)), ['ops_logs'], 'only what the config lengthens or locks');
    const rows = await sql `select family, keep::text as keep, locked from retention.policies where family in ('ledger_events', 'ops_logs', 'ops_metrics') order by family`;
    t.same(rows, [
        { family: 'ledger_events', keep: '7 years', locked: true }, // the config's 5 years is less: left
        { family: 'ops_logs', keep: '5 years', locked: true },
        { family: 'ops_metrics', keep: '1 year', locked: false }, // 1 month is less: left
    ]);
    t.same(lines, ['retention ops_logs: keep 5 years, locked (from the config)']);
    t.same(await applyRetention(url, cfg.retention, () => { }), [], 'applied again: nothing');
    t.throws(() => loadConfig({ env: { BLOTTER_RETENTION_OPS_LOGS: 'forever' } }), { message: /config retention\.ops_logs \(from BLOTTER_RETENTION_OPS_LOGS\): expected a period such as "7 years"/ });
    t.throws(() => loadConfig({ env: { BLOTTER_RETENTION_LOCK: 'ledger' } }), { message: /config retention\.lock .*expected a list of families/ });
});
