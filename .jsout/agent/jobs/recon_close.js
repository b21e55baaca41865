import { scheduledTask } from "./recon.js";
export const TASK = 'recon_close';
export function run(deps) {
    return scheduledTask('close', deps);
}
