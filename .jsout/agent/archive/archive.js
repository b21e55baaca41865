// `blotter archive`: every whole past month of ledger.events, ops.logs and ops.metrics not
// yet archived goes to Parquet in the archive location, oldest first, with its manifest.
// A month counts as archived only after its file was read back and every row checked
// against the database (ledger months: each row's hash recomputed, and per stream the
// rows, first and last stream_seq and the hashes at both ends equal the partition's).
// Nothing is deleted here: `blotter purge` does that, later, past retention.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { GENERATOR } from "../report/model.js";
import { encryptFile } from "./crypt.js";
import { manifestBytes, monthBounds, monthDir, previousMonth, sha256, signManifest, } from "./manifest.js";
import { checkLedgerFiles, dropChecked, exportLedgerMonth, exportTableMonth, openDuck } from "./parquet.js";
import { sha256File } from "./store.js";
// Per stream, the archive's facts equal the partition's; the first difference, or null.
export function compareStreams(fromFile, fromDb) {
    const db = new Map(fromDb.map((s) => [s.stream, s]));
    for (const f of fromFile) {
        const d = db.get(f.stream);
        if (!d)
            return `stream ${f.stream} is in the archive but not in the month`;
        for (const k of ['rows', 'first_stream_seq', 'last_stream_seq', 'first_prev_hash', 'last_hash']) {
            if (String(f[k]) !== String(d[k]))
                return `stream ${f.stream}: ${k} is ${f[k]} in the archive, ${d[k]} in the database`;
        }
        db.delete(f.stream);
    }
    const missing = [...db.keys()][0];
    return missing === undefined ? null : `stream ${missing} is in the month but not in the archive`;
}
export function factsToStreams(facts) {
    return facts.map((f) => ({
        stream: f.stream, rows: f.rows, first_stream_seq: f.firstStreamSeq, last_stream_seq: f.lastStreamSeq,
        first_prev_hash: f.firstPrevHash, last_hash: f.lastHash,
    }));
}
export async function monthStreams(sql, month) {
    const rows = await sql `
    select stream, rows::integer as rows, first_stream_seq::text as first_stream_seq, last_stream_seq::text as last_stream_seq,
           first_prev_hash, last_hash
      from retention.month_streams(${`${month}-01`}::date)`;
    return rows;
}
export async function archiveMonths(sql, opts) {
    const before = opts.before ?? '9999-12';
    const months = (await sql `
    select family, to_char(month, 'YYYY-MM') as month, partition_name, complete, manifest_sha256, purged_at, table_bytes::text as table_bytes,
           archived_rows::text as archived_rows
      from reports.archive_months
     where family = any(${opts.families}) and partition_name is not null
       and to_char(month, 'YYYY-MM') < ${before}
     order by family, month`);
    const work = fs.mkdtempSync(path.join(opts.workDir ?? os.tmpdir(), 'blotter-archive-'));
    const duck = await openDuck({ tempDir: work });
    const done = [];
    try {
        // Once a month is (re)written, every later archived month of its family is rewritten
        // too: each manifest names the sha256 of the one before.
        const rewrite = new Set();
        for (const m of months) {
            if (!m.complete)
                continue;
            if (!rewrite.has(m.family) && m.manifest_sha256 && await sameManifest(opts.store, m) && await sameRows(sql, m)) {
                done.push({ family: m.family, month: m.month, rows: 0, bytes: 0, tableBytes: 0, manifestSha256: m.manifest_sha256, skipped: 'already archived' });
                continue;
            }
            done.push(await archiveOne(sql, duck, m, work, opts));
            rewrite.add(m.family);
        }
    }
    finally {
        duck.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
    return done;
}
// An archive recorded in the database counts when its manifest is in the store unchanged.
async function sameManifest(store, m) {
    const name = `${monthDir(m.family, m.month)}/manifest.json`;
    if (!(await store.exists(name)))
        return false;
    const tmp = path.join(os.tmpdir(), `blotter-manifest-${process.pid}-${Date.now()}`);
    try {
        await store.get(name, tmp);
        return sha256(fs.readFileSync(tmp)) === m.manifest_sha256;
    }
    finally {
        fs.rmSync(tmp, { force: true });
    }
}
// The trading log and metrics are partitioned by the time the bot gives (logged_at,
// observed_at): a late line can land in a month already archived, which is then archived
// again. Ledger months cannot change once over (recorded_at is the ledger's clock).
async function sameRows(sql, m) {
    if (m.family === 'ledger_events')
        return true;
    const [{ n }] = await sql.unsafe(`select count(*)::text as n from ${m.partition_name}`);
    return n === m.archived_rows;
}
async function archiveOne(sql, duck, m, work, opts) {
    const t0 = Date.now();
    const base = `${m.family}-${m.month}`;
    const plain = path.join(work, `${base}.parquet`);
    const csv = path.join(work, `${base}.csv`);
    const partition = m.partition_name;
    const rows = m.family === 'ledger_events'
        ? await exportLedgerMonth(sql, duck, partition, csv, plain)
        : await exportTableMonth(sql, duck, partition, csv, plain);
    // Read back and compare with the month in the database.
    let streams = [];
    if (m.family === 'ledger_events') {
        const check = await checkLedgerFiles(duck, [plain], { fromGenesis: false });
        await dropChecked(duck);
        const p = check.problems[0];
        if (p)
            throw new BlotterError('ARCHIVE_CHECK', `${m.family} ${m.month}: the file written does not check: stream ${p.stream} stream_seq ${p.streamSeq}: ${p.reason} (${p.detail})`);
        streams = factsToStreams(check.facts);
        const diff = compareStreams(streams, await monthStreams(sql, m.month));
        if (diff)
            throw new BlotterError('ARCHIVE_CHECK', `${m.family} ${m.month}: ${diff}`);
    }
    const [{ n }] = await sql.unsafe(`select count(*)::bigint as n from ${partition}`);
    if (Number(n) !== rows)
        throw new BlotterError('ARCHIVE_CHECK', `${m.family} ${m.month}: ${rows} rows written, the partition holds ${n}`);
    const plainSha = await sha256File(plain);
    const plainBytes = fs.statSync(plain).size;
    let dataFile = plain;
    let name = `${base}.parquet`;
    if (opts.recipients.length) {
        dataFile = `${plain}.age`;
        name += '.age';
        await encryptFile(plain, dataFile, opts.recipients);
    }
    const bytes = fs.statSync(dataFile).size;
    const [prev] = await sql `
    select manifest_sha256 from retention.archives where family = ${m.family} and month = ${`${previousMonth(m.month)}-01`}::date`;
    const [facts] = await sql `select current_database() as database`;
    const manifest = {
        format: 'blotter-archive/1', ledger_format: 1, family: m.family, month: m.month, ...monthBounds(m.month), table: partition,
        database: facts.database, created_at: new Date().toISOString(), created_by: GENERATOR, rows,
        table_bytes: Number(m.table_bytes ?? 0),
        files: [{ name, bytes, sha256: await sha256File(dataFile), rows, encryption: opts.recipients.length ? 'age' : null, plain_bytes: plainBytes, plain_sha256: plainSha }],
        streams,
        previous: prev ? { month: previousMonth(m.month), manifest_sha256: prev.manifest_sha256 } : null,
    };
    const mBytes = manifestBytes(manifest);
    const manifestFile = path.join(work, `${base}.manifest.json`);
    fs.writeFileSync(manifestFile, mBytes);
    const dir = monthDir(m.family, m.month);
    await opts.store.put(`${dir}/${name}`, dataFile);
    if (opts.signKeyFile) {
        const sigFile = path.join(work, `${base}.manifest.sig`);
        fs.writeFileSync(sigFile, JSON.stringify(signManifest(mBytes, opts.signKeyFile)) + '\n');
        await opts.store.put(`${dir}/manifest.sig`, sigFile);
    }
    // The manifest last: a month whose manifest is there is complete.
    await opts.store.put(`${dir}/manifest.json`, manifestFile);
    const manifestSha256 = sha256(mBytes);
    await sql `select retention.record_archive(${m.family}, ${`${m.month}-01`}::date, ${opts.store.location}, ${manifestSha256},
                                            ${rows}, ${bytes}, true)`;
    for (const f of [plain, dataFile, manifestFile])
        fs.rmSync(f, { force: true });
    opts.log(`${m.family} ${m.month}: ${rows} rows, ${bytes} bytes${opts.recipients.length ? ' (encrypted)' : ''} in ${Date.now() - t0} ms`);
    return { family: m.family, month: m.month, rows, bytes, tableBytes: Number(m.table_bytes ?? 0), manifestSha256 };
}
