// The crontab the agent installs: one line per scheduled task.
//
// graphile-worker's cron is UTC only. A reconciliation task therefore wakes at every UTC
// minute at which it could be due under either New York offset (UTC-4 in daylight time,
// UTC-5 otherwise), and schedule.ts decides from the calendar whether it is:
//   recon_hourly   New York full hours 10:00-15:00 -> UTC 14:00-19:00 (EDT) or 15:00-20:00
//                  (EST): minute 0 of UTC hours 14-20.
//   recon_close    close + 15 min. The close is a whole hour from 10:00 to 16:00 New York
//   recon_weekly   (16:00 and 13:00 by rule; an override's early close is a whole hour from
//   recon_monthly  10:00 to 15:00, a constraint on recon.calendar_overrides), so the run is
//                  10:15-16:15 New York -> UTC 14:15-21:15: minute 15 of UTC hours 14-21.
//   flex_fetch     07:00 New York on business days: 11:00 or 12:00 UTC.
// At most 8 wake-ups a day per task; those the calendar does not make due log the decision
// and do nothing.
//
// Options (graphile-worker crontab syntax):
//   id        the line's identity. graphile-worker records each tick per identity in
//             known_crontabs with a conditional upsert, so one tick makes one job however
//             many agents share the database.
//   fill      a tick missed while no agent ran is made up on start within this window
//             (the job keeps its tick's time, _cron.ts, and the decision is about that).
//   max       max_attempts: a failing reconciliation is retried with graphile-worker's
//             exponential backoff (about 3 s, 7 s, 20 s, 55 s) and then left failed.
//   queue     every reconciliation (and recon_after_fill) runs in queue 'recon': one at
//             a time, across agents.
//   priority  at the same tick, close runs before weekly, weekly before monthly.
import { TASK as ENSURE_PARTITIONS } from "./ensure_partitions.js";
import { TASK as FLEX_FETCH } from "./flex_fetch.js";
import { TASK as VERIFY_CHAIN } from "./verify_chain.js";
import { TASK as REPORTS_REFRESH } from "./reports_refresh.js";
import { TASK as DIGEST_EXPORT } from "./digest_export.js";
import { TASK as ARCHIVE } from "./archive_task.js";
import { DAILY_TASK as REPORT_DAILY, MONTHLY_TASK as REPORT_MONTHLY } from "./report_files.js";
import { TASK as RECON_CLOSE } from "./recon_close.js";
import { TASK as RECON_HOURLY } from "./recon_hourly.js";
import { TASK as RECON_MONTHLY } from "./recon_monthly.js";
import { TASK as RECON_WEEKLY } from "./recon_weekly.js";
export const RECON_QUEUE = 'recon';
export const CRONTAB_LINES = [
    // Daily at 03:05 UTC; a missed run within a day is caught up on start.
    `5 3 * * * ${ENSURE_PARTITIONS} ?fill=1d&max=3`,
    // A missed hour is made up only within the hour: the next one is near.
    `0 14-20 * * * ${RECON_HOURLY} ?id=${RECON_HOURLY}&fill=1h&max=3&queue=${RECON_QUEUE}&priority=0`,
    `15 14-21 * * * ${RECON_CLOSE} ?id=${RECON_CLOSE}&fill=1d&max=5&queue=${RECON_QUEUE}&priority=0`,
    `15 14-21 * * * ${RECON_WEEKLY} ?id=${RECON_WEEKLY}&fill=1d&max=5&queue=${RECON_QUEUE}&priority=1`,
    `15 14-21 * * * ${RECON_MONTHLY} ?id=${RECON_MONTHLY}&fill=1d&max=5&queue=${RECON_QUEUE}&priority=2`,
    // Daily at 04:05 UTC, after the partitions; a missed day is made up on start.
    `5 4 * * * ${VERIFY_CHAIN} ?id=${VERIFY_CHAIN}&fill=1d&max=2`,
    // Daily at 04:35 UTC, a backstop for the refreshes the ledger asks for (the same job key:
    // a pending one is not doubled).
    `35 4 * * * ${REPORTS_REFRESH} ?id=${REPORTS_REFRESH}&fill=1d&max=3&queue=reports&jobKey=${REPORTS_REFRESH}&jobKeyMode=preserve_run_at`,
    // Report files: the daily one 45 minutes after the close (16:45 New York, 13:45 on an
    // early close: 17:45 to 21:45 UTC), the monthly one at 08:00 New York on a month's first
    // session; report_schedule.ts keeps the minute that is due.
    `45 17-21 * * * ${REPORT_DAILY} ?id=${REPORT_DAILY}&fill=1d&max=3&queue=reports`,
    `0 12,13 * * * ${REPORT_MONTHLY} ?id=${REPORT_MONTHLY}&fill=1d&max=3&queue=reports`,
    // Signed digests: woken every 5 minutes; digest_export.ts keeps the minutes of its period.
    // A missed tick is not made up (the next one is near).
    `*/5 * * * * ${DIGEST_EXPORT} ?id=${DIGEST_EXPORT}&max=2`,
    // Archives: hourly at minute 7 (rotated log files); the 03:07 run also archives whole
    // months and sweeps the job history. Ticks missed within 4 hours are made up on start.
    `7 * * * * ${ARCHIVE} ?id=${ARCHIVE}&fill=4h&max=2&queue=archive`,
    // 07:00 New York (11:00 UTC in daylight time, 12:00 in standard time); flex_fetch.ts
    // keeps the one that is 07:00 there. Retried a few times (IB may not be ready yet).
    `0 11,12 * * * ${FLEX_FETCH} ?id=${FLEX_FETCH}&fill=1d&max=4&queue=flex`,
];
export const CRONTAB = CRONTAB_LINES.join('\n');
