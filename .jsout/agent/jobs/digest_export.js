// digest_export: every digests.every_minutes, each stream's head written to a digest file
// under digests.dir, signed with the Ed25519 key digests.key_file (kept off the database:
// whoever holds only the database cannot forge a digest). `blotter verify --digest DIR
// --public-key KEY.pub` checks every file of the directory, signature first. The crontab
// wakes the task every 5 minutes; it acts on the minutes that are a multiple of the period
// (counted from midnight UTC), judged by the cron tick, so a late start writes the right one.
import fs from 'node:fs';
import path from 'node:path';
import { signDigest, takeDigest, writeDigestFile } from "../ledger/digest.js";
import { scheduledAt } from "./recon.js";
export const TASK = 'digest_export';
export function digestsDir(settings, home) {
    return settings.dir || path.join(home, 'digests');
}
// With archive.enabled each digest is also copied to the archive location
// (<location>/digests/), next to the months it vouches for.
export function run(deps) {
    return async (payload, helpers) => {
        if (!deps.settings.enabled)
            return;
        const at = scheduledAt(payload, helpers.job);
        const minuteOfDay = at.getUTCHours() * 60 + at.getUTCMinutes();
        if (minuteOfDay % deps.settings.every_minutes !== 0)
            return;
        if (!deps.settings.key_file) {
            deps.log.error({ job: TASK }, 'digest_export: digests.key_file is not set; no digest written (blotter digest --keygen --out FILE makes a key)');
            return;
        }
        const dir = digestsDir(deps.settings, deps.home);
        fs.mkdirSync(dir, { recursive: true });
        const d = signDigest(await takeDigest(deps.sql), deps.settings.key_file);
        const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        const file = path.join(dir, `digest-${stamp}.json`);
        writeDigestFile(file, d);
        deps.log.info({ job: TASK, file, streams: d.streams.length, key_id: d.signature.keyId }, 'signed digest written');
        if (deps.archive?.enabled) {
            const { archiveLocation, openArchiveStore } = await import("../archive/open.js");
            const store = await openArchiveStore(archiveLocation(deps.archive.location || path.join(deps.home, 'archive'), deps.archive), deps.archive);
            try {
                await store.put(`digests/${path.basename(file)}`, file);
            }
            finally {
                store.close?.();
            }
        }
    };
}
