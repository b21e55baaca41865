// graphile-worker in tests: its schema installed as the agent does, due jobs run as the
// agent's worker would, and the queue's contents.
import pino from 'pino';
import { Logger, runMigrations, runOnce } from 'graphile-worker';
import { migrate } from "../../agent/db/migrate.js";
import { workerPool } from "../../agent/jobs/runner.js";
export const quiet = new Logger(() => () => { });
// graphile-worker's schema, installed as the agent does: migrate first (db/bootstrap.sql
// lets blotter_owner create schemas in this database; a cloned database does not inherit
// that grant), then graphile-worker's migrations as blotter_owner.
export async function installQueue(url) {
    await migrate({ url });
    const pool = workerPool(url, pino({ level: 'silent' }));
    try {
        await runMigrations({ pgPool: pool, logger: quiet });
    }
    finally {
        await pool.end();
    }
}
// Run every job that is due, as the agent's worker would. runOnce returns when a poll finds
// nothing to take, which a job of the same named queue still running also causes: poll
// again while due, unlocked jobs remain (a bounded number of times).
export async function runDueJobs(url, list) {
    const pool = workerPool(url, pino({ level: 'silent' }));
    try {
        for (let i = 0; i < 20; i++) {
            await runOnce({ pgPool: pool, taskList: list, logger: quiet, concurrency: 1 });
            const { rows } = await pool.query(`select count(*)::int as n from graphile_worker._private_jobs
                                          where run_at <= now() and locked_at is null and attempts < max_attempts`);
            if (rows[0].n === 0)
                return;
        }
        throw new Error('jobs still due after 20 polls');
    }
    finally {
        await pool.end();
    }
}
export async function pendingJobs(sql) {
    return sql `select j.key, t.identifier as task, q.queue_name as queue, j.payload, j.attempts, j.max_attempts, j.last_error, j.revision, j.run_at
               from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
               left join graphile_worker._private_job_queues q on q.id = j.job_queue_id order by t.identifier, j.key nulls first`;
}
