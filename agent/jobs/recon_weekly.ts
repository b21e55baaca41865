// recon_weekly: after the last close of the week (with its close run), every account is
// reconciled over the week: the week's fills replayed against the snapshots.
// When is decided by schedule.ts; the crontab only wakes this task (crontab.ts).
import type { Task } from 'graphile-worker';
import { scheduledTask, type ReconDeps } from './recon.ts';

export const TASK = 'recon_weekly';

export function run(deps: ReconDeps): Task {
  return scheduledTask('weekly', deps);
}
