// `blotter verify-archive`: check an archive from its files alone. Every manifest (and its
// signature, given the public key), every file's size and sha256, every row's hash and
// every link of every ledger stream across all months, the months' own chain (each
// manifest names the sha256 of the one before), each file's per-stream facts against its
// manifest, and that each row's recorded_at lies in its month. With a database at hand,
// the seam too: where each stream's archived part ends, the database's rows or purge
// checkpoint must continue it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlotterError } from "../errors.js";
import { decryptFile } from "./crypt.js";
import { checkSignature, FAMILIES, monthBounds, parseManifest, previousMonth, readPublicKey, sha256 } from "./manifest.js";
import { checkLedgerFiles, countRows, dropChecked, hashesAt, openDuck, pointKey } from "./parquet.js";
import { DirStore, sha256File } from "./store.js";
export async function verifyArchive(opts) {
    const { store } = opts;
    const problems = [];
    const report = { location: store.location, months: 0, rows: 0, streams: 0, signaturesChecked: !!opts.publicKeyFile, seamChecked: false, problems };
    const publicKey = opts.publicKeyFile ? readPublicKey(opts.publicKeyFile) : undefined;
    const work = fs.mkdtempSync(path.join(opts.workDir ?? os.tmpdir(), 'blotter-verify-archive-'));
    const duck = await openDuck({ tempDir: work });
    try {
        const listing = await store.list('');
        const names = new Set(listing.map((f) => f.name));
        const months = [];
        for (const f of listing) {
            const m = /^(ledger_events|ops_logs|ops_metrics)\/(\d{4}-\d{2})\/manifest\.json$/.exec(f.name);
            if (!m)
                continue;
            const family = m[1];
            const month = m[2];
            const local = path.join(work, `${family}-${month}.manifest.json`);
            await store.get(f.name, local);
            const bytes = fs.readFileSync(local);
            let manifest;
            try {
                manifest = parseManifest(bytes, f.name);
            }
            catch (err) {
                problems.push({ family, month, kind: 'manifest', detail: err.message });
                continue;
            }
            if (manifest.family !== family || manifest.month !== month) {
                problems.push({ family, month, kind: 'manifest', detail: `${f.name} describes ${manifest.family} ${manifest.month} (moved or swapped)` });
                continue;
            }
            if (publicKey) {
                const sigName = `${family}/${month}/manifest.sig`;
                let sigText = null;
                if (names.has(sigName)) {
                    const sigLocal = `${local}.sig`;
                    await store.get(sigName, sigLocal);
                    sigText = fs.readFileSync(sigLocal, 'utf8');
                }
                const why = checkSignature(bytes, sigText, publicKey);
                if (why) {
                    problems.push({ family, month, kind: 'signature', detail: `${f.name}: ${why}` });
                    continue;
                }
            }
            months.push({ family, month, manifest, sha: sha256(bytes), files: [] });
        }
        // Data files that no manifest names, and months with files but no manifest.
        for (const f of listing) {
            const m = /^(ledger_events|ops_logs|ops_metrics)\/(\d{4}-\d{2})\/(.+)$/.exec(f.name);
            if (!m || m[3] === 'manifest.json' || m[3] === 'manifest.sig')
                continue;
            const owner = months.find((x) => x.family === m[1] && x.month === m[2]);
            if (!owner && !problems.some((p) => p.family === m[1] && p.month === m[2])) {
                problems.push({ family: m[1], month: m[2], kind: 'manifest', detail: `${f.name} has no manifest.json beside it (an archive that did not finish?)` });
            }
            else if (owner && !owner.manifest.files.some((x) => x.name === m[3])) {
                problems.push({ family: m[1], month: m[2], kind: 'file', detail: `${f.name} is not named by the month's manifest` });
            }
        }
        report.months = months.length;
        // The months of each family chain through their manifests' sha256.
        for (const family of FAMILIES) {
            const ms = months.filter((m) => m.family === family).sort((a, b) => (a.month < b.month ? -1 : 1));
            ms.forEach((m, i) => {
                const prev = ms[i - 1];
                if (i === 0) {
                    if (m.manifest.previous)
                        problems.push({ family, month: m.month, kind: 'months', detail: `the archive starts at ${m.month}, whose manifest follows ${m.manifest.previous.month}: that month is missing` });
                }
                else if (!m.manifest.previous) {
                    problems.push({ family, month: m.month, kind: 'months', detail: `${m.month} names no previous month, but ${prev.month} is archived before it` });
                }
                else if (m.manifest.previous.month !== prev.month) {
                    problems.push({ family, month: m.month, kind: 'months', detail: `${m.month} follows ${m.manifest.previous.month}, but the archive's month before it is ${prev.month} (a month is missing)` });
                }
                else if (m.manifest.previous.manifest_sha256 !== prev.sha) {
                    problems.push({ family, month: m.month, kind: 'months', detail: `${m.month} names a different manifest for ${prev.month} than the one archived (replaced or forged)` });
                }
                if (m.manifest.previous && m.manifest.previous.month !== previousMonth(m.month)) {
                    problems.push({ family, month: m.month, kind: 'manifest', detail: `previous.month ${m.manifest.previous.month} is not the month before ${m.month}` });
                }
            });
        }
        // Each file: size and sha256 as the manifest says, then decrypted if it is encrypted.
        for (const m of months) {
            for (const f of m.manifest.files) {
                const name = `${m.family}/${m.month}/${f.name}`;
                if (!names.has(name)) {
                    problems.push({ family: m.family, month: m.month, kind: 'file', detail: `${name} is missing` });
                    continue;
                }
                const local = store instanceof DirStore ? store.localPath(name) : path.join(work, f.name);
                if (!(store instanceof DirStore))
                    await store.get(name, local);
                const size = fs.statSync(local).size;
                const sha = await sha256File(local);
                if (size !== f.bytes || sha !== f.sha256) {
                    problems.push({ family: m.family, month: m.month, kind: 'file', detail: `${name}: ${size} bytes, sha256 ${sha.slice(0, 16)}…; the manifest says ${f.bytes} bytes, ${f.sha256.slice(0, 16)}…` });
                    continue;
                }
                let plain = local;
                if (f.encryption === 'age') {
                    if (opts.identities.length === 0) {
                        throw new BlotterError('ARCHIVE_ENCRYPTED', `${name} is encrypted: give the identity that decrypts it (--identity FILE) to check its rows`);
                    }
                    plain = path.join(work, f.name.replace(/\.age$/, ''));
                    try {
                        await decryptFile(local, plain, opts.identities);
                    }
                    catch (err) {
                        // A file whose manifest was forged to match it fails here (age's MAC), as does a wrong identity.
                        if (err.code !== 'ARCHIVE_DECRYPT')
                            throw err;
                        problems.push({ family: m.family, month: m.month, kind: 'file', detail: err.message });
                        continue;
                    }
                    const psha = await sha256File(plain);
                    if (psha !== f.plain_sha256) {
                        problems.push({ family: m.family, month: m.month, kind: 'file', detail: `${name} decrypts to sha256 ${psha.slice(0, 16)}…, the manifest says ${f.plain_sha256.slice(0, 16)}…` });
                        continue;
                    }
                }
                let rows;
                try {
                    rows = await countRows(duck, plain);
                }
                catch (err) {
                    if (err.code !== 'ARCHIVE_UNREADABLE')
                        throw err;
                    problems.push({ family: m.family, month: m.month, kind: 'file', detail: err.message });
                    continue;
                }
                // Still read with the rest: the chain says which rows.
                if (rows !== f.rows || rows !== m.manifest.rows) {
                    problems.push({ family: m.family, month: m.month, kind: 'rows', detail: `${name} holds ${rows} rows; the manifest says ${f.rows}` });
                }
                m.files.push(plain);
                report.rows += rows;
            }
            if (m.family !== 'ledger_events' && m.files.length) {
                const { from, to } = monthBounds(m.month);
                const col = m.family === 'ops_logs' ? 'logged_at' : 'observed_at';
                const r = await duck.con.runAndReadAll(`select count(*)::bigint as n from read_parquet([${m.files.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}])
            where not (${col} >= '${from}'::timestamptz and ${col} < '${to}'::timestamptz)`);
                const outside = Number(r.getRowObjectsJS()[0].n);
                if (outside)
                    problems.push({ family: m.family, month: m.month, kind: 'rows', detail: `${outside} rows lie outside ${m.month}` });
            }
        }
        // The ledger: every row's hash and every link, across all months at once.
        const ledger = months.filter((m) => m.family === 'ledger_events' && m.files.length);
        if (ledger.length) {
            const files = ledger.flatMap((m) => m.files);
            const check = await checkLedgerFiles(duck, files, { fromGenesis: true });
            report.streams = check.ends.length;
            const monthOf = new Map(ledger.flatMap((m) => m.files.map((f) => [f, m])));
            for (const p of check.problems) {
                problems.push({ family: 'ledger_events', month: monthOf.get(p.file)?.month ?? null, stream: p.stream, streamSeq: p.streamSeq, kind: p.reason, detail: p.detail });
            }
            for (const m of ledger) {
                const { from, to } = monthBounds(m.month);
                const fromUs = BigInt(Date.parse(from)) * 1000n;
                const toUs = BigInt(Date.parse(to)) * 1000n;
                const facts = check.facts.filter((f) => m.files.includes(f.file));
                const listed = new Map(m.manifest.streams.map((s) => [s.stream, s]));
                for (const f of facts) {
                    const s = listed.get(f.stream);
                    if (!s) {
                        problems.push({ family: m.family, month: m.month, stream: f.stream, kind: 'manifest', detail: `stream ${f.stream} is in the file but not in the manifest` });
                        continue;
                    }
                    listed.delete(f.stream);
                    const diff = ['rows', 'first_stream_seq', 'last_stream_seq', 'first_prev_hash', 'last_hash']
                        .find((k) => String(s[k]) !== String({ rows: f.rows, first_stream_seq: f.firstStreamSeq, last_stream_seq: f.lastStreamSeq, first_prev_hash: f.firstPrevHash, last_hash: f.lastHash }[k]));
                    if (diff)
                        problems.push({ family: m.family, month: m.month, stream: f.stream, kind: 'manifest', detail: `stream ${f.stream}: ${diff} differs between the manifest and the file` });
                    if (BigInt(f.minRecordedUs) < fromUs || BigInt(f.maxRecordedUs) >= toUs) {
                        problems.push({ family: m.family, month: m.month, stream: f.stream, kind: 'rows', detail: `stream ${f.stream} has rows recorded outside ${m.month}` });
                    }
                }
                for (const s of listed.keys())
                    problems.push({ family: m.family, month: m.month, stream: s, kind: 'manifest', detail: `the manifest lists stream ${s}, the file has no rows of it` });
            }
            if (opts.sql) {
                await checkSeam(opts.sql, duck, check.ends, problems);
                report.seamChecked = true;
            }
            await dropChecked(duck);
        }
    }
    finally {
        duck.close();
        fs.rmSync(work, { recursive: true, force: true });
    }
    return report;
}
// Where the archive ends per stream, the database must go on: the row after the archive's
// last links to it, a row still in both has the same hash, and a purge checkpoint names a
// row of the archive with the same hash (a checkpoint beyond the archive: rows purged that
// this archive does not hold).
async function checkSeam(sql, duck, ends, problems) {
    const input = ends.map((e) => ({ stream: e.stream, seq: e.lastStreamSeq }));
    const db = await sql `
    with a as (select x.stream, x.seq::bigint as seq from jsonb_to_recordset(${sql.json(input)}::jsonb) as x(stream text, seq text))
    select a.stream, a.seq::text as seq,
           (select encode(e.hash, 'hex') from ledger.events e where e.stream = a.stream and e.stream_seq = a.seq) as same_row,
           (select encode(e.prev_hash, 'hex') from ledger.events e where e.stream = a.stream and e.stream_seq = a.seq + 1) as next_prev,
           (select s.stream_seq::text from ledger.streams s where s.stream = a.stream) as head_seq
      from a`;
    const cps = await sql `select stream, stream_seq::text as seq, encode(hash, 'hex') as hash from ledger.stream_checkpoints`;
    const byStream = new Map(ends.map((e) => [e.stream, e]));
    const atCheckpoints = await hashesAt(duck, cps.map((c) => ({ stream: c.stream, streamSeq: c.seq })));
    for (const r of db) {
        const e = byStream.get(r.stream);
        const where = { family: 'ledger_events', month: null, stream: e.stream, streamSeq: e.lastStreamSeq, kind: 'seam' };
        if (r.same_row !== null && r.same_row !== e.lastHash)
            problems.push({ ...where, detail: `row ${e.lastStreamSeq} differs between the archive and the database` });
        else if (r.next_prev !== null && r.next_prev !== e.lastHash)
            problems.push({ ...where, detail: `the database's row ${BigInt(e.lastStreamSeq) + 1n} does not link to the archive's last row` });
        else if (r.head_seq === null)
            problems.push({ ...where, detail: `the database has no stream ${e.stream}` });
        else if (BigInt(r.head_seq) < BigInt(e.lastStreamSeq))
            problems.push({ ...where, detail: `the database's head is at ${r.head_seq}, before the archive's last row ${e.lastStreamSeq}` });
    }
    for (const c of cps) {
        const e = byStream.get(c.stream);
        const where = { family: 'ledger_events', month: null, stream: c.stream, streamSeq: c.seq, kind: 'seam' };
        if (!e) {
            problems.push({ ...where, detail: `the database purged stream ${c.stream} up to ${c.seq}; the archive has none of it` });
        }
        else if (BigInt(c.seq) > BigInt(e.lastStreamSeq)) {
            problems.push({ ...where, detail: `the database purged up to ${c.seq}; the archive ends at ${e.lastStreamSeq}` });
        }
        else if (atCheckpoints.get(pointKey(c.stream, c.seq)) !== c.hash) {
            problems.push({ ...where, detail: `the checkpoint's hash differs from the archive's row ${c.seq}` });
        }
    }
}
