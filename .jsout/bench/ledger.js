// Ledger append and verify throughput. N events go through the same COPY path as
// `blotter append` into the chained ledger and, in the same run, into an identical table
// (same columns, partitions and indexes) with no triggers; the ratio is the chain's cost.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openCopy, appendedInTransaction } from "../agent/ledger/copy.js";
import { withBenchDatabase } from "./db.js";
import { verifyLedger } from "../agent/ledger/verify.js";
function events(n, streams) {
    const out = [];
    const t0 = Date.UTC(2026, 10, 26, 14, 30);
    for (let i = 0; i < n; i++) {
        const s = i % streams;
        out.push({
            stream: `bench-${s}`, occurredAt: new Date(t0 + i).toISOString(), source: 'bot', eventType: 'execution',
            entityType: 'order', entityId: `ord-${i >> 2}`, account: `DU${1000 + s}`, actor: 'strategy-a', sessionId: 'sess-1',
            idempotencyKey: `bench:exec:${i}`,
            payload: `{"exec_id":"0000e0d5.6571${i}.01.01","side":"BOT","quantity":"${(i % 500) + 1}","price":"${(100 + (i % 997) / 1000).toFixed(3)}","symbol":"AAPL","con_id":265598,"commission":null}`,
        });
    }
    // Sorted by stream, as the writer sends them, so locks are taken in a fixed order.
    return out.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}
async function copyAll(sql, table, evs) {
    const t = process.hrtime.bigint();
    const appended = await sql.begin(async (tx) => {
        const sink = await openCopy(tx, table);
        for (const e of evs)
            await sink.write(e);
        await sink.end();
        return appendedInTransaction(tx);
    });
    return { seconds: Number(process.hrtime.bigint() - t) / 1e9, appended };
}
export async function run(args) {
    const { values } = parseArgs({ args, options: { n: { type: 'string' }, streams: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
    const n = Number(values.n ?? 200_000);
    const nStreams = Number(values.streams ?? 4);
    return withBenchDatabase('ledger', async (sql) => {
        // The twin: same columns, defaults for what the trigger would fill, same partitions and indexes.
        await sql.unsafe(`
        create schema bench;
        create table bench.events_raw (like ledger.events including defaults including constraints including indexes) partition by range (recorded_at);
        alter table bench.events_raw alter stream_seq set default 1,
          alter prev_hash set default '\\x${'00'.repeat(32)}'::bytea, alter hash set default '\\x${'11'.repeat(32)}'::bytea;
        create table bench.events_raw_default partition of bench.events_raw default;
        do $$ declare r record; begin
          for r in select c.relname, pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid
                    where i.inhparent = 'ledger.events'::regclass and c.relname <> 'events_default' loop
            execute format('create table bench.%I partition of bench.events_raw %s', r.relname, r.bound);
          end loop; end $$;`);
        const [idx] = await sql `select (select count(*) from pg_indexes where schemaname = 'ledger' and tablename = 'events')::int as chained,
                                     (select count(*) from pg_indexes where schemaname = 'bench' and tablename = 'events_raw')::int as raw`;
        if (idx.chained !== idx.raw)
            throw new Error(`the twin has ${idx.raw} indexes, the ledger ${idx.chained}`);
        const evs = events(n, nStreams);
        // Warm-up on both paths so neither pays first-use costs in the timed run.
        const warm = events(2000, nStreams).map((e) => ({ ...e, idempotencyKey: `warm:${e.idempotencyKey}` }));
        await copyAll(sql, 'bench.events_raw', warm);
        await copyAll(sql, 'ledger.events', warm);
        const raw = await copyAll(sql, 'bench.events_raw', evs);
        const chained = await copyAll(sql, 'ledger.events', evs);
        if (chained.appended !== n)
            throw new Error(`chained append landed ${chained.appended} of ${n}`);
        // The same events without idempotency keys: the chain alone, without the key index.
        const bare = evs.map((e) => ({ ...e, idempotencyKey: null, stream: `${e.stream}-nokey` }));
        const rawBare = await copyAll(sql, 'bench.events_raw', bare);
        const chainedBare = await copyAll(sql, 'ledger.events', bare);
        await sql `vacuum analyze ledger.events`;
        await sql `vacuum analyze ledger.events`;
        let t = process.hrtime.bigint();
        const sqlReport = await sql `select * from ledger.verify()`;
        const verifySqlS = Number(process.hrtime.bigint() - t) / 1e9;
        if (sqlReport.some((r) => r.reason !== null))
            throw new Error(`SQL verify reported a problem: ${JSON.stringify(sqlReport)}`);
        t = process.hrtime.bigint();
        const tsReport = await verifyLedger(sql);
        const verifyTsS = Number(process.hrtime.bigint() - t) / 1e9;
        if (tsReport.some((r) => !r.ok))
            throw new Error(`TS verify reported a problem: ${JSON.stringify(tsReport)}`);
        const total = 2 * n + warm.length;
        const [ver] = await sql `select current_setting('server_version') as v`;
        return {
            case: 'ledger',
            n,
            streams: nStreams,
            server_version: ver.v,
            raw_rows_per_s: Math.round(n / raw.seconds),
            chained_rows_per_s: Math.round(n / chained.seconds),
            chained_vs_raw: Number((raw.seconds === 0 ? 0 : chained.seconds / raw.seconds).toFixed(3)),
            chained_vs_raw_without_keys: Number((chainedBare.seconds / rawBare.seconds).toFixed(3)),
            verify_sql_rows_per_s: Math.round(total / verifySqlS),
            verify_ts_rows_per_s: Math.round(total / verifyTsS),
        };
    });
}
