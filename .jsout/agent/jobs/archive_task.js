// archive: hourly at minute 7. Every hour, with archive.enabled, rotated log files go to the
// archive location (compressed). At 03:07 UTC: failed jobs past the job_history policy are
// removed (always), and, with archive.enabled, every whole past month not yet archived is
// archived; with archive.auto_purge the months past retention whose archive checks are then
// purged, exactly as `blotter archive` and `blotter purge` would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scheduledAt } from "./recon.js";
export const TASK = 'archive';
export function run(deps) {
    return async (payload, helpers) => {
        const at = scheduledAt(payload, helpers.job);
        const daily = at.getUTCHours() === 3;
        const log = deps.log.child({ job: TASK });
        if (daily) {
            const [{ n }] = await deps.sql `select retention.purge_job_history()::int as n`;
            if (n)
                log.info({ jobs: n }, 'failed jobs past the job_history policy removed');
        }
        if (!deps.settings.enabled)
            return;
        const { archiveLocation, openArchiveStore } = await import("../archive/open.js");
        const location = deps.settings.location || path.join(deps.home, 'archive');
        const store = await openArchiveStore(archiveLocation(location, deps.settings), deps.settings);
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-archive-task-'));
        try {
            if (deps.logFile) {
                const { archiveRotatedLogs } = await import("../archive/file-logs.js");
                const { moved } = await archiveRotatedLogs(store, deps.logFile, { minAgeMs: 60_000, workDir: work });
                if (moved.length)
                    log.info({ files: moved.length, location: store.location }, 'rotated log files archived');
            }
            if (!daily)
                return;
            const { archiveMonths } = await import("../archive/archive.js");
            const families = ['ledger_events', 'ops_logs', 'ops_metrics'];
            const done = await archiveMonths(deps.sql, {
                store, families: [...families], recipients: deps.settings.recipients, signKeyFile: deps.settings.sign_key || undefined, workDir: work,
                log: (line) => log.info(line),
            });
            const written = done.filter((m) => !m.skipped);
            if (written.length)
                log.info({ months: written.map((m) => `${m.family} ${m.month}`), location: store.location }, 'months archived');
            if (!deps.settings.auto_purge)
                return;
            const { purgeMonths } = await import("../archive/purge.js");
            const r = await purgeMonths(deps.sql, { store, families: [...families], identities: [], dryRun: false, workDir: work, log: (line) => log.info(line) });
            for (const w of r.waiting)
                log.warn({ family: w.family, month: w.month }, `purge waits: ${w.why}`);
            if (r.purged.length)
                log.info({ months: r.purged.map((m) => `${m.family} ${m.month}`) }, 'months purged');
        }
        finally {
            store.close?.();
            fs.rmSync(work, { recursive: true, force: true });
        }
    };
}
