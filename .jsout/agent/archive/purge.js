// `blotter purge`: drop the oldest months that are past retention and archived, after
// checking, right then, that their archive is still in place and unchanged: the manifest
// the database recorded, every file's size and sha256, and per ledger stream the rows and
// hashes at both ends against the partition about to go. An unencrypted (or decryptable)
// file is also read row by row. retention.purge then enforces the rest in the database
// (oldest first, past retention, verified, every stream a prefix) and records checkpoints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { compareStreams, factsToStreams, monthStreams } from "./archive.js";
import { decryptFile } from "./crypt.js";
import { monthDir, parseManifest, sha256 } from "./manifest.js";
import { checkLedgerFiles, countRows, dropChecked, openDuck } from "./parquet.js";
import { DirStore, sha256File } from "./store.js";
export async function purgeMonths(sql, opts) {
    const purged = [];
    const waiting = [];
    const work = fs.mkdtempSync(path.join(opts.workDir ?? os.tmpdir(), 'blotter-purge-'));
    const duck = await openDuck({ tempDir: work });
    try {
        for (const family of opts.families) {
            const rows = (await sql `
        select family, to_char(month, 'YYYY-MM') as month, partition_name, protected, complete, manifest_sha256, location
          from reports.archive_months where family = ${family} and partition_name is not null order by month`);
            // The oldest months, in order, up to the first that cannot go.
            const ready = [];
            for (const m of rows) {
                const why = m.protected ? `kept by the ${family} retention policy`
                    : opts.before && m.month >= opts.before ? `not before ${opts.before}`
                        : !m.manifest_sha256 ? 'not archived (blotter archive)'
                            : m.location !== opts.store.location ? `archived to ${m.location}, not to ${opts.store.location}` : null;
                if (why) {
                    if (!m.protected && !(opts.before && m.month >= opts.before))
                        waiting.push({ family, month: m.month, why });
                    break;
                }
                ready.push(m);
            }
            if (!ready.length)
                continue;
            for (const m of ready) {
                await checkArchive(sql, duck, m, work, opts);
                opts.log(`${family} ${m.month}: archive checked`);
            }
            if (opts.dryRun) {
                for (const m of ready)
                    purged.push({ family, month: m.month, rows: 0, checkpoints: 0, dryRun: true });
                continue;
            }
            for (const m of ready)
                await sql `select retention.record_verified(${family}, ${`${m.month}-01`}::date, ${m.manifest_sha256})`;
            // A row written at the turn of a month can tie two months together: then the later
            // month must go with the earlier one. Try all, then one fewer, ... (each try is one
            // transaction; a refused one changes nothing).
            let take = ready.length;
            while (take > 0) {
                const batch = ready.slice(0, take);
                try {
                    const out = await sql `
            select to_char(month, 'YYYY-MM') as month, rows::integer as rows, checkpoints
              from retention.purge(${family}, ${batch.map((m) => `${m.month}-01`)}::date[], ${batch.map((m) => m.manifest_sha256)}::text[])`;
                    for (const r of out) {
                        purged.push({ family, month: r.month, rows: r.rows, checkpoints: r.checkpoints, dryRun: false });
                        opts.log(`${family} ${r.month}: purged ${r.rows} rows${family === 'ledger_events' ? `, ${r.checkpoints} stream checkpoints` : ''}`);
                    }
                    break;
                }
                catch (err) {
                    const e = err;
                    if (e.code !== '55000' || !/would have a gap/.test(e.message))
                        throw err;
                    waiting.push({ family, month: batch[take - 1].month, why: e.message.replace(/^purge: /, '') });
                    take--;
                }
            }
        }
    }
    finally {
        duck.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
    return { purged, waiting };
}
async function checkArchive(sql, duck, m, work, opts) {
    const dir = monthDir(m.family, m.month);
    const fail = (why) => new BlotterError('ARCHIVE_CHECK', `${m.family} ${m.month} was not purged: ${why}`);
    const local = path.join(work, `${m.family}-${m.month}.manifest.json`);
    try {
        await opts.store.get(`${dir}/manifest.json`, local);
    }
    catch (err) {
        throw fail(`its manifest cannot be read from ${opts.store.location} (${err.message})`);
    }
    const bytes = fs.readFileSync(local);
    if (sha256(bytes) !== m.manifest_sha256)
        throw fail(`${dir}/manifest.json is not the manifest recorded when it was archived`);
    const manifest = parseManifest(bytes, `${dir}/manifest.json`);
    const plainFiles = [];
    for (const f of manifest.files) {
        const name = `${dir}/${f.name}`;
        let file;
        if (opts.store instanceof DirStore) {
            file = opts.store.localPath(name);
            if (!fs.existsSync(file))
                throw fail(`${name} is missing`);
        }
        else {
            file = path.join(work, f.name);
            await opts.store.get(name, file);
        }
        if (fs.statSync(file).size !== f.bytes || (await sha256File(file)) !== f.sha256)
            throw fail(`${name} differs from its manifest`);
        if (f.encryption === 'age') {
            if (!opts.identities.length)
                continue; // its sha256 is the one checked against the month when it was written
            const plain = path.join(work, f.name.replace(/\.age$/, ''));
            await decryptFile(file, plain, opts.identities);
            if ((await sha256File(plain)) !== f.plain_sha256)
                throw fail(`${name} decrypts to other bytes than the manifest says`);
            file = plain;
        }
        if ((await countRows(duck, file)) !== f.rows)
            throw fail(`${name} holds another number of rows than its manifest says`);
        plainFiles.push(file);
    }
    if (m.family === 'ledger_events') {
        const db = await monthStreams(sql, m.month);
        const diff = compareStreams(manifest.streams, db);
        if (diff)
            throw fail(diff);
        if (plainFiles.length) {
            const check = await checkLedgerFiles(duck, plainFiles, { fromGenesis: false });
            await dropChecked(duck);
            const p = check.problems[0];
            if (p)
                throw fail(`stream ${p.stream} stream_seq ${p.streamSeq}: ${p.reason} (${p.detail})`);
            const d2 = compareStreams(factsToStreams(check.facts), db);
            if (d2)
                throw fail(d2);
        }
    }
    const [{ n }] = await sql.unsafe(`select count(*)::bigint as n from ${m.partition_name}`);
    if (Number(n) !== manifest.rows)
        throw fail(`the partition holds ${n} rows, the archive ${manifest.rows}`);
}
