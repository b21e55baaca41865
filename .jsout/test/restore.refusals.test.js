// What `blotter restore` refuses, and that a refused restore writes nothing: a home that
// holds anything, a directory that is no backup, a backup with a changed, missing or
// extra file or a manifest naming a path outside it (exit 1), PostgreSQL binaries of
// another major version, and a restored ledger without a head the backup recorded
// (exit 1). Also: a restored home carries the password and the ingest token. Method: one
// real backup of a real embedded server, copied and damaged one way per case.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { makeTempHome } from "../agent/db/server.js";
import { eventLine, runCli } from "./helpers/db.js";
// A server of its own, restores that start servers, and child processes: minutes on a
// loaded machine.
t.setTimeout(600_000);
const root = makeTempHome('blotter-restore-refusals-');
const home = path.join(root, 'home');
const backupDir = path.join(root, 'backup');
const env = { BLOTTER_HOME: home, BLOTTER_PG_BIN: process.env.BLOTTER_TEST_PG_BIN, DATABASE_URL: '', BLOTTER_DATABASE_URL: '' };
t.teardown(async () => {
    await runCli(['db', 'stop'], { env });
    fs.rmSync(root, { recursive: true, force: true });
});
function copyTree(from, to) {
    fs.cpSync(from, to, { recursive: true, preserveTimestamps: true });
}
t.test('a backup to restore', async (t) => {
    t.equal((await runCli(['db', 'start'], { env })).code, 0);
    t.equal((await runCli(['migrate'], { env })).code, 0);
    fs.writeFileSync(path.join(home, 'ingest-token'), 'tok-0123456789abcdefghij\n', { mode: 0o600 });
    t.match((await runCli(['append', '-'], { env, input: eventLine({ idempotency_key: 'one' }) })).stdout, /appended 1/);
    const r = await runCli(['backup', '--out', backupDir], { env });
    t.equal(r.code, 0, r.stderr);
    // The backup is all this file needs of the server.
    t.equal((await runCli(['db', 'stop'], { env })).code, 0);
});
t.test('restore refuses a home that holds anything, and writes nothing there', async (t) => {
    const target = path.join(root, 'busy');
    fs.mkdirSync(path.join(target, 'logs'), { recursive: true });
    const r = await runCli(['restore', '--from', backupDir, '--home', target], { env });
    t.equal(r.code, 2);
    t.equal(r.stderr, `blotter restore: ${target} is not empty (logs): restore into a new or empty home [RESTORE_TARGET_NOT_EMPTY]\n`);
    t.same(fs.readdirSync(target), ['logs']);
    const u = await runCli(['restore', '--home', target], { env });
    t.match(u.stderr, /restore needs --from DIR/);
    const none = await runCli(['restore', '--from', root, '--home', path.join(root, 'n1')], { env });
    t.equal(none.code, 2);
    t.match(none.stderr, /is not a blotter backup: it has no backup\.json \[BACKUP_NOT_FOUND\]/);
    t.notOk(fs.existsSync(path.join(root, 'n1')));
});
t.test('a damaged backup is refused naming each file, exit 1, nothing written', async (t) => {
    const cases = [
        ['an edited file', (d) => fs.appendFileSync(path.join(d, 'pg/data/postgresql.conf'), '\nfsync = off\n'),
            /pg\/data\/postgresql\.conf: \d+ bytes, the manifest says \d+/],
        ['a changed byte, same size', (d) => {
                const f = path.join(d, 'pg/data/global/pg_control');
                const b = fs.readFileSync(f);
                b[100] = b[100] ^ 0xff;
                fs.writeFileSync(f, b);
            }, /pg\/data\/global\/pg_control: sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/],
        ['a missing WAL segment', (d) => {
                const wal = path.join(d, 'pg/data/pg_wal');
                fs.rmSync(path.join(wal, fs.readdirSync(wal).find((n) => /^[0-9A-F]{24}$/.test(n))));
            }, /pg\/data\/pg_wal\/[0-9A-F]{24}: missing/],
        ['an added file', (d) => fs.writeFileSync(path.join(d, 'pg/data/recovery.signal'), ''),
            /pg\/data\/recovery\.signal: not in the manifest/],
    ];
    for (const [what, damage, says] of cases) {
        const copy = path.join(root, `damaged-${what.replace(/\W+/g, '-')}`);
        copyTree(backupDir, copy);
        damage(copy);
        const target = path.join(root, `target-${what.replace(/\W+/g, '-')}`);
        const r = await runCli(['restore', '--from', copy, '--home', target], { env });
        t.equal(r.code, 1, `${what}: exit 1`);
        t.match(r.stderr, new RegExp(`^blotter restore: ${copy} is damaged or incomplete, nothing restored: `), what);
        t.match(r.stderr, says, what);
        t.match(r.stderr, /\[BACKUP_DAMAGED\]\n$/, what);
        t.notOk(fs.existsSync(target), `${what}: nothing written`);
    }
});
t.test('a manifest naming a path outside the backup is refused', async (t) => {
    const copy = path.join(root, 'escape');
    copyTree(backupDir, copy);
    const file = path.join(copy, 'backup.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    m.dirs.push('pg/../../outside');
    fs.writeFileSync(file, JSON.stringify(m));
    const r = await runCli(['restore', '--from', copy, '--home', path.join(root, 'escape-target')], { env });
    t.equal(r.code, 1);
    t.match(r.stderr, /backup\.json: the path "pg\/\.\.\/\.\.\/outside" is not a plain relative path \[BACKUP_DAMAGED\]/);
    t.notOk(fs.existsSync(path.join(root, 'escape-target')));
});
t.test('PostgreSQL binaries of another major version are refused', async (t) => {
    const bin = path.join(root, 'fake-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'postgres'), '#!/bin/sh\necho "postgres (PostgreSQL) 11.22"\n', { mode: 0o755 });
    const target = path.join(root, 'old');
    const r = await runCli(['restore', '--from', backupDir, '--home', target], { env: { ...env, BLOTTER_PG_BIN: bin } });
    t.equal(r.code, 2);
    t.match(r.stderr, /the backup is of PostgreSQL \d+\.\d+.* but .*fake-bin holds PostgreSQL 11; set BLOTTER_PG_BIN to a PostgreSQL \d+ bin directory \[RESTORE_VERSION_MISMATCH\]/);
    t.notOk(fs.existsSync(target));
});
t.test('the restored home carries the secrets the server and the bot need', async (t) => {
    const target = path.join(root, 'fresh');
    const r = await runCli(['restore', '--from', backupDir, '--home', target], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /recovery reached [0-9A-F/]+; 1 ledger heads present/);
    t.equal(fs.readFileSync(path.join(target, 'ingest-token'), 'utf8'), 'tok-0123456789abcdefghij\n');
    t.equal(fs.statSync(path.join(target, 'ingest-token')).mode & 0o777, 0o600);
    const restoredEnv = { ...env, BLOTTER_HOME: target };
    t.equal((await runCli(['db', 'status'], { env: restoredEnv })).code, 3, 'restore left the server stopped');
    const v = await runCli(['verify'], { env: restoredEnv });
    t.equal(v.code, 0, v.stderr);
    t.match(v.stdout, /ok {7}bot: 1 rows/);
});
t.test('a restored ledger without a head the backup recorded: exit 1, naming the stream', async (t) => {
    const copy = path.join(root, 'heads-forged');
    copyTree(backupDir, copy);
    const file = path.join(copy, 'backup.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The manifest does not guard itself (backup.json says so): a forged head is caught here.
    m.heads.push({ stream: 'gone', streamSeq: '7', hash: 'ab'.repeat(32) });
    fs.writeFileSync(file, JSON.stringify(m));
    const target = path.join(root, 'heads-target');
    const r = await runCli(['restore', '--from', copy, '--home', target], { env });
    t.equal(r.code, 1);
    t.match(r.stderr, /the restored ledger lacks what the backup recorded \(the files are left there to inspect\): stream gone: stream_seq 7 is missing \[RESTORE_INCOMPLETE\]/);
    t.equal((await runCli(['db', 'status'], { env: { ...env, BLOTTER_HOME: target } })).code, 3, 'and its server is stopped');
});
