export const TASK = 'reports_refresh';
export function run(deps) {
    return async (payload) => {
        const reason = typeof payload?.reason === 'string' ? payload.reason : 'schedule';
        const rows = await deps.sql.begin(async (tx) => {
            // years of fills take longer than the agent's statement timeout
            await tx `select set_config('statement_timeout', ${String(deps.timeoutMs)}, true)`;
            return tx `select name, row_count::text as rows, duration_ms::float8 as ms from reports.refresh(${reason.slice(0, 40)})`;
        });
        deps.log.info({ reason, reports: Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.rows), ms: r.ms }])) }, 'reports refreshed');
    };
}
