import { scheduledTask } from "./recon.js";
export const TASK = 'recon_weekly';
export function run(deps) {
    return scheduledTask('weekly', deps);
}
