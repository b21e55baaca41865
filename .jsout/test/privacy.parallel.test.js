// Revealing personal fields inside a query PostgreSQL runs in parallel: decryption catches
// a bad token in an exception block (a subtransaction), which a parallel query forbids, so
// the reveal functions must keep the planner from going parallel. Found by the fuzzer's
// oracle on PostgreSQL 15 ("cannot start subtransactions during a parallel operation").
import t from 'tap';
import { testDb } from "./helpers/db.js";
t.test('privacy.reveal in a query the planner would run in parallel', async (t) => {
    const { sql } = await testDb(t);
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, entity_type, actor, idempotency_key, payload)
            select 'ops', now(), 'user', 'user_action', 'user_action', 'person' || (i % 7) || '@example.com', 'k' || i,
                   jsonb_build_object('action', 'pause', 'i', i, 'details', jsonb_build_object('email', 'person' || (i % 7) || '@example.com'))
              from generate_series(1, 2000) i`;
    const rows = await sql.begin(async (tx) => {
        const [v] = await tx `select current_setting('server_version_num')::int as n`;
        await tx.unsafe(`set local ${v.n >= 160000 ? 'debug_parallel_query' : 'force_parallel_mode'} = on`);
        await tx `set local parallel_setup_cost = 0`;
        await tx `set local parallel_tuple_cost = 0`;
        await tx `set local min_parallel_table_scan_size = 0`;
        await tx `set local max_parallel_workers_per_gather = 2`;
        // the shape of the fuzzer's oracle: per key, the row as a person reads it
        return tx `select count(*)::int as keys, count(*) filter (where row like '%pii:v1:%')::int as still_tokens from (
                select e.idempotency_key, min(jsonb_build_object('actor', privacy.reveal(e.actor), 'payload', privacy.reveal_json(e.payload))::text) as row
                  from ledger.events e where e.event_type = 'user_action' group by e.idempotency_key) x`;
    });
    t.same(rows, [{ keys: 2000, still_tokens: 0 }], 'every token revealed, no error');
});
