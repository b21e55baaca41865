// Old months for the archive tests: partitions for 2018 (past the 7-year lock) created as
// the owner creates them, events recorded in them (recorded_at given), and a row written
// at the turn of January that ties January to February.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, testDb } from "./db.js";
export function tempDir(t, prefix) {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
    return d;
}
// A month partition of ledger.events, as the owner creates them.
export async function monthPartition(sql, month) {
    const [y, m] = month.split('-').map(Number);
    const from = new Date(Date.UTC(y, m - 1, 1)).toISOString();
    const to = new Date(Date.UTC(y, m, 1)).toISOString();
    await sql.begin(async (tx) => {
        await tx `set local role blotter_owner`;
        await tx.unsafe(`create table ledger.events_${month.replace('-', '')} partition of ledger.events for values from ('${from}') to ('${to}')`);
    });
}
// Events recorded in the past (recorded_at given): n per stream, spread over the month.
export async function oldEvents(sql, month, streams, n) {
    await sql `
    insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, entity_id, actor, payload)
    select s, ${`${month}-01T00:00:00Z`}::timestamptz + (i * interval '1 hour'), ${`${month}-01T00:00:00Z`}::timestamptz + (i * interval '1 hour'),
           'bot', 'signal', case when i % 3 = 0 then '' when i % 3 = 1 then null else 'it''s a\\b' end, 'Zürich €',
           jsonb_build_object('i', i, 'px', (i || '.50')::numeric, 'note', 'x,"y"' || chr(10) || 'z')
      from unnest(${streams}::text[]) s, generate_series(1, ${n}) i
     order by s, i`;
}
export async function setup(t) {
    const db = await testDb(t);
    const { sql } = db;
    for (const m of ['2018-01', '2018-02', '2018-03'])
        await monthPartition(sql, m);
    await oldEvents(sql, '2018-01', ['a', 'b', 'k'], 40);
    // The turn of January: stream k's row 41 lands in February, its row 42 (its insert
    // began a moment earlier, so recorded_at is earlier) in January.
    await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values ('k', '2018-02-01T00:00:00.000002Z', '2018-02-01T00:00:00Z', 'bot', 'signal', '{"turn": 1}')`;
    await sql `insert into ledger.events (stream, recorded_at, occurred_at, source, event_type, payload)
            values ('k', '2018-01-31T23:59:59.999999Z', '2018-01-31T23:59:59Z', 'bot', 'signal', '{"turn": 2}')`;
    await oldEvents(sql, '2018-02', ['a', 'k'], 30);
    await oldEvents(sql, '2018-03', ['a', 'b', 'k'], 20);
    // and today's rows, which stay
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, payload)
            select s, now(), 'bot', 'signal', jsonb_build_object('today', i) from unnest(array['a', 'b', 'k', 'new']) s, generate_series(1, 5) i`;
    const home = tempDir(t, 'blotter-archive-home-');
    const env = { DATABASE_URL: db.url, BLOTTER_HOME: home };
    return { ...db, home, env, cli: (args) => runCli(args, { env, timeoutMs: 120_000 }) };
}
