// The trading logger: per-category levels filter, the file sink rotates at the configured
// size and keeps the configured count, the database sink writes in batches and spills to
// the file (counted) when it cannot keep up, and secrets never reach any sink.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { loadConfig } from "../agent/config.js";
import { DbLogSink } from "../agent/log/db-sink.js";
import { createLoggers } from "../agent/log/logger.js";
import { tempHome } from "./helpers/agent.js";
import { testDb } from "./helpers/db.js";
function logging(over) {
    const c = loadConfig({ env: {} }).logging;
    c.handlers.console.enabled = true;
    c.handlers.file.enabled = false;
    c.handlers.database.enabled = false;
    over(c);
    return c;
}
function capture() {
    const chunks = [];
    const stream = new Writable({ write(c, _e, cb) { chunks.push(c.toString()); cb(); } });
    return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}
t.test('per-category levels filter; secrets are redacted', async (t) => {
    const home = tempHome(t);
    const out = capture();
    const logs = await createLoggers({
        home, consoleStream: out.stream,
        config: logging((c) => {
            c.handlers.console.level = 'trace';
            c.categories.order = 'debug';
            c.categories.execution = 'warn';
        }),
    });
    logs.category('order').debug({ client_order_id: '1' }, 'order debug shown');
    logs.category('order').trace('order trace hidden');
    logs.category('execution').info('execution info hidden');
    logs.category('execution').warn('execution warn shown');
    logs.category('connection').info({ token: 'sekrit', password: 'hunter2', headers: { authorization: 'Bearer x' }, credentials: { user: 'u', pass: 'p' } }, 'connection info shown');
    await logs.close();
    const lines = out.lines();
    t.same(lines.map((l) => l.msg), ['order debug shown', 'execution warn shown', 'connection info shown']);
    t.same(lines.map((l) => l.category), ['order', 'execution', 'connection']);
    t.equal(lines[2].token, '[redacted]');
    t.equal(lines[2].password, '[redacted]');
    t.equal(lines[2].credentials, '[redacted]');
    t.same(lines[2].headers, { authorization: '[redacted]' });
    t.notMatch(JSON.stringify(lines), /sekrit|hunter2|Bearer x/);
});
t.test('the file sink rotates at max_size and keeps max_files', async (t) => {
    const home = tempHome(t);
    const logs = await createLoggers({
        home,
        config: logging((c) => {
            c.handlers.console.enabled = false;
            c.handlers.file.enabled = true;
            c.handlers.file.max_size = 16 * 1024;
            c.handlers.file.max_files = 3;
            c.handlers.file.level = 'info';
        }),
    });
    const log = logs.category('system');
    for (let i = 0; i < 2000; i++) {
        log.info({ i, pad: 'x'.repeat(100) }, 'filler');
        // Small bursts with a pause between: pino-roll checks the size between writes, and a
        // loaded machine (the suite runs files in parallel) must not turn one burst into many.
        if (i % 10 === 0)
            await new Promise((r) => setTimeout(r, 2));
    }
    await logs.close();
    const files = fs.readdirSync(path.join(home, 'logs')).filter((f) => /^blotter\.\d+\.log$/.test(f));
    t.equal(files.length, 3, `kept ${files.join(', ')}`);
    // A file rolls after the write that crosses max_size, so it overshoots by at most one burst.
    for (const f of files)
        t.ok(fs.statSync(path.join(home, 'logs', f)).size <= 16 * 1024 + 16 * 1024, `${f} near the size limit`);
    // pino-roll may open the next file right after the write that filled one, so the last
    // line is in the newest file that has any.
    const newest = files.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
        .map((f) => fs.readFileSync(path.join(home, 'logs', f), 'utf8')).filter((text) => text.length > 0).pop() ?? '';
    t.match(newest, /"i":1999/, 'the newest file with lines has the last line');
});
t.test('the database sink batches, and spills to the file sink when it cannot keep up', async (t) => {
    const { sql } = await testDb(t);
    const spilled = [];
    const sink = new DbLogSink({ batchSize: 10, flushMs: 60_000, queueMax: 30 });
    sink.spillTo({ write: (s) => spilled.push(s) });
    // Not attached yet: lines queue up to queue_max, the rest spill.
    for (let i = 0; i < 35; i++)
        sink.write(JSON.stringify({ level: 'info', time: '2026-11-26T14:30:00.000Z', category: 'order', msg: `line ${i}`, n: i }) + '\n');
    await new Promise((r) => setImmediate(r));
    t.equal(sink.queued(), 30);
    t.equal(sink.stats.spilled, 5);
    t.equal(spilled.length, 5);
    t.match(spilled[0], /line 30/, 'what spilled is the overflow, written whole');
    sink.attach(sql);
    await sink.flush();
    t.equal(sink.stats.written, 10, 'one flush writes one batch of batch_size');
    t.equal(sink.queued(), 20);
    await sink.close();
    t.equal(sink.stats.written, 30);
    const rows = await sql `select category, level, source, msg, fields from ops.logs order by msg`;
    t.equal(rows.length, 30);
    t.same(rows[0], { category: 'order', level: 'info', source: 'agent', msg: 'line 0', fields: { n: 0 } });
});
t.test('a database that refuses keeps lines queued, then spills them on close', async (t) => {
    const { sql } = await testDb(t);
    await sql `revoke insert on ops.logs from current_user`.catch(() => { });
    const spilled = [];
    const sink = new DbLogSink({ batchSize: 5, flushMs: 60_000, queueMax: 100 });
    sink.spillTo({ write: (s) => spilled.push(s) });
    const broken = (await import('postgres')).default('postgres://nobody:x@127.0.0.1:1/none', { max: 1, connect_timeout: 1 });
    t.teardown(() => broken.end({ timeout: 1 }));
    sink.attach(broken);
    for (let i = 0; i < 7; i++)
        sink.write(JSON.stringify({ level: 'warn', msg: `m${i}` }) + '\n');
    await sink.flush();
    t.equal(sink.stats.failures, 1);
    t.equal(sink.queued(), 7, 'nothing lost on failure');
    await sink.close();
    t.equal(spilled.length, 7, 'on close, what the database never took goes to the file');
    t.equal(sink.stats.spilled, 7);
});
t.test('the agent logs to ops.logs, and `blotter logs` filters it', async (t) => {
    const { sql, url } = await testDb(t);
    await sql `insert into ops.logs (logged_at, level, category, source, msg, fields) values
    ('2026-11-26T14:00:00Z', 'info', 'order', 'agent', 'placed 1', '{"px": "1.5"}'),
    ('2026-11-26T15:00:00Z', 'error', 'execution', 'bot', 'fill mismatch', null),
    ('2026-11-27T09:00:00Z', 'debug', 'order', 'agent', 'noise', null)`;
    const { runCli } = await import("./helpers/db.js");
    const env = { DATABASE_URL: url };
    const all = await runCli(['logs'], { env });
    t.equal(all.stdout.trim().split('\n').length, 3);
    t.match(all.stdout, /2026-11-26T14:00:00\.000000Z INFO  \[order\] placed 1 \{"px":"1\.5"\}/);
    t.equal((await runCli(['logs', '--level', 'info'], { env })).stdout.trim().split('\n').length, 2);
    t.match((await runCli(['logs', '--category', 'execution'], { env })).stdout, /ERROR \[execution\] \(bot\) fill mismatch/);
    t.equal((await runCli(['logs', '--from', '2026-11-26T14:30:00Z', '--to', '2026-11-27'], { env })).stdout.trim().split('\n').length, 1);
    const j = await runCli(['logs', '--grep', 'PLACED', '--json'], { env });
    t.same(JSON.parse(j.stdout.trim()).msg, 'placed 1');
    const bad = await runCli(['logs', '--level', 'loud'], { env });
    t.equal(bad.code, 2);
    t.match(bad.stderr, /--level must be one of/);
    t.equal((await runCli(['logs', '--from', 'yesterday'], { env })).code, 2);
});
