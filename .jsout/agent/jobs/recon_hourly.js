import { scheduledTask } from "./recon.js";
export const TASK = 'recon_hourly';
export function run(deps) {
    return scheduledTask('hourly', deps);
}
