-- Event triggers of the retention lock (functions in db/functions/400_retention.sql).
-- Only a superuser may create event triggers: `blotter migrate` applies this file after the
-- functions when it runs as one, and otherwise says that the DDL guard is not installed.
-- Re-runnable.
drop event trigger if exists blotter_retention_drop;
create event trigger blotter_retention_drop on sql_drop execute function retention.guard_drop();
drop event trigger if exists blotter_retention_alter;
create event trigger blotter_retention_alter on ddl_command_end when tag in ('ALTER TABLE') execute function retention.guard_alter();
