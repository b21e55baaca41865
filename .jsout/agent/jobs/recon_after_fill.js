import { afterFillTask } from "./recon.js";
export const TASK = 'recon_after_fill';
export function run(deps) {
    return afterFillTask(deps);
}
