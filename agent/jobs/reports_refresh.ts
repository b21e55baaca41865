// reports_refresh: brings the materialized reports (reports.fills, trades, daily_summary,
// equity_daily, monthly and yearly performance, execution_quality) up to date with the
// ledger, in one transaction (db/functions/390_reports_refresh.sql). Enqueued by the ledger
// itself when fills, statements, cash flows or closing reconciliations land (one pending
// job, key 'reports_refresh'), and nightly by the crontab as a backstop.
import type pino from 'pino';
import type postgres from 'postgres';
import type { Task } from 'graphile-worker';

export const TASK = 'reports_refresh';

export function run(deps: { sql: postgres.Sql; log: pino.Logger; timeoutMs: number }): Task {
  return async (payload) => {
    const reason = typeof (payload as { reason?: unknown } | null)?.reason === 'string' ? (payload as { reason: string }).reason : 'schedule';
    const rows = await deps.sql.begin(async (tx) => {
      // years of fills take longer than the agent's statement timeout
      await tx`select set_config('statement_timeout', ${String(deps.timeoutMs)}, true)`;
      return tx`select name, row_count::text as rows, duration_ms::float8 as ms from reports.refresh(${reason.slice(0, 40)})`;
    });
    deps.log.info({ reason, reports: Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.rows), ms: r.ms }])) }, 'reports refreshed');
  };
}
