// A throwaway, migrated database for one benchmark: on DATABASE_URL's server, or on an
// embedded server started (and stopped, and removed) for the run.
import fs from 'node:fs';
import postgres from 'postgres';
import { migrate } from "../agent/db/migrate.js";
import { makeTempHome, startServer, stopServer } from "../agent/db/server.js";
export async function withBenchDatabase(name, fn) {
    let home;
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
        home = makeTempHome('blotter-bench-');
        adminUrl = (await startServer({ home, binDir: process.env.BLOTTER_PG_BIN || undefined })).url;
    }
    try {
        return await withMigratedDatabase(adminUrl, name, fn);
    }
    finally {
        if (home) {
            await stopServer(home);
            fs.rmSync(home, { recursive: true, force: true });
        }
    }
}
// A fresh, migrated database on the server of `serverUrl` (any database there), dropped
// afterwards.
export async function withMigratedDatabase(serverUrl, name, fn) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => { } });
    const dbName = `blotter_bench_${name}_${process.pid}`;
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    try {
        await migrate({ url: url.toString() });
        const sql = postgres(url.toString(), { max: 2, onnotice: () => { } });
        try {
            return await fn(sql, url.toString());
        }
        finally {
            await sql.end({ timeout: 5 });
        }
    }
    finally {
        await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => { });
        await admin.end({ timeout: 5 });
    }
}
