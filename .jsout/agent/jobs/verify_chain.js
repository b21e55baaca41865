export const TASK = 'verify_chain';
export function run(deps) {
    return async () => {
        const [r] = await deps.sql.begin(async (tx) => {
            // a year of events takes longer than the agent's statement timeout
            await tx `select set_config('statement_timeout', ${String(deps.timeoutMs)}, true)`;
            return tx `select * from reports.record_chain_verification()`;
        });
        if (r.problems > 0)
            deps.log.error({ streams: r.streams, problems: r.problems, seq: r.seq }, 'chain verification found problems: see reports.chain_status');
        else
            deps.log.info({ streams: r.streams, seq: r.seq }, 'chain verified');
    };
}
