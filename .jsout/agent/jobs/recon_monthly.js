import { scheduledTask } from "./recon.js";
export const TASK = 'recon_monthly';
export function run(deps) {
    return scheduledTask('monthly', deps);
}
