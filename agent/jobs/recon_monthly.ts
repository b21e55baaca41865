// recon_monthly: after the last close of the month (with its close run), every account is
// reconciled over the month.
// When is decided by schedule.ts; the crontab only wakes this task (crontab.ts).
import type { Task } from 'graphile-worker';
import { scheduledTask, type ReconDeps } from './recon.ts';

export const TASK = 'recon_monthly';

export function run(deps: ReconDeps): Task {
  return scheduledTask('monthly', deps);
}
