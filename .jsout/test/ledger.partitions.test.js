// Monthly partitions are created ahead by ledger.ensure_partitions; a month whose rows are
// already in the DEFAULT partition is left there with a warning rather than failing.
import t from 'tap';
import { testDb } from "./helpers/db.js";
const { sql } = await testDb(t);
const names = async () => (await sql `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'ledger.events'::regclass order by 1`).map((r) => r.relname);
t.test('creates the months ahead, idempotently, with their TRUNCATE guard', async (t) => {
    const before = await names();
    t.equal(before.length, 5, 'migrate made this month, three ahead and the default');
    const made = await sql `select ledger.ensure_partitions(5) as n`;
    t.equal(made.length, 2, 'two more months');
    t.same((await sql `select ledger.ensure_partitions(5) as n`).length, 0, 'a second run creates nothing');
    const newest = (await names()).filter((n) => n !== 'events_default').pop();
    await t.rejects(sql.unsafe(`truncate ledger.${newest}`), { message: /append-only/ });
});
t.test('a month already holding rows in the default partition stays there', async (t) => {
    await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values ('far', '2031-03-10T00:00:00Z', now(), 'system', 'tick', '{}')`;
    const made = await sql `select ledger.ensure_partitions(60) as n`;
    t.notOk(made.map((r) => r.n).includes('ledger.events_203103'), 'March 2031 not created');
    t.ok(made.map((r) => r.n).includes('ledger.events_203104'), 'the months around it are');
    const [row] = await sql `select tableoid::regclass::text as p from ledger.events where stream = 'far'`;
    t.equal(row.p, 'ledger.events_default');
});
t.test('refuses a nonsense horizon; the agent may run it', async (t) => {
    await t.rejects(sql `select ledger.ensure_partitions(-1)`, { message: /months_ahead must be between 0 and 120, got -1/ });
    await t.rejects(sql `select ledger.ensure_partitions(121)`, { message: /got 121/ });
    await sql.begin(async (tx) => {
        await tx `set local role blotter_agent`;
        await tx `select ledger.ensure_partitions(1)`;
    });
    t.pass('blotter_agent can call it');
});
