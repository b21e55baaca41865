export const TASK = 'ensure_partitions';
export function run(deps) {
    return async () => {
        const ahead = deps.partitionsAhead;
        const rows = await deps.sql `select ledger.ensure_partitions(${ahead}) as name union all select ops.ensure_partitions(${ahead})`;
        deps.log.info({ created: rows.map((r) => r.name) }, 'partitions ensured');
    };
}
