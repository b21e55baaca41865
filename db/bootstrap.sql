-- Cluster-level prerequisites, applied by `blotter migrate` before any migration.
-- Roles are global to the cluster, so they cannot live in a per-database migration;
-- each is created only when missing, so a DBA can pre-create them and run migrate
-- with less than superuser rights.
do $$
declare
  v_role text;
begin
  foreach v_role in array array['blotter_owner', 'blotter_agent', 'blotter_reviewer',
                                'blotter_auditor', 'blotter_bi', 'blotter_custom', 'blotter_console']
  loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = v_role) then
      execute format('create role %I nologin', v_role);
    end if;
  end loop;
  -- blotter_custom owns reports.run_custom_query, which runs users' custom reports: its only
  -- right is blotter_bi's (read reports). blotter_owner is a member so that migrate can
  -- replace that function and hand it over.
  if not pg_catalog.pg_has_role('blotter_custom', 'blotter_bi', 'member') then
    grant blotter_bi to blotter_custom;
  end if;
  if not exists (select 1 from pg_catalog.pg_auth_members m
                  where m.roleid = 'blotter_custom'::regrole and m.member = 'blotter_owner'::regrole) then
    grant blotter_custom to blotter_owner;
  end if;
  -- blotter_console, the review console's role, reads what an auditor reads (its own acts
  -- are in db/policies/090_console_grants.sql).
  if not pg_catalog.pg_has_role('blotter_console', 'blotter_auditor', 'member') then
    grant blotter_auditor to blotter_console;
  end if;
  -- The migrating user acts as blotter_owner (set role) so every object is owned by it.
  -- It also runs the agent, whose connections use role blotter_agent.
  if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    if not pg_catalog.pg_has_role(current_user, 'blotter_owner', 'member') then
      execute format('grant blotter_owner to %I', current_user);
    end if;
    if not pg_catalog.pg_has_role(current_user, 'blotter_agent', 'member') then
      execute format('grant blotter_agent to %I', current_user);
    end if;
    -- and the review console's (agent/console), whose connections use role blotter_console
    if not pg_catalog.pg_has_role(current_user, 'blotter_console', 'member') then
      execute format('grant blotter_console to %I', current_user);
    end if;
  end if;
  execute format('grant create, connect on database %I to blotter_owner', current_database());
end
$$;

create schema if not exists blotter_meta;
create table if not exists blotter_meta.migrations (
  version    integer primary key,
  name       text not null,
  checksum   text not null,
  applied_at timestamptz not null default now(),
  applied_by text not null default current_user
);
revoke all on schema blotter_meta from public;
grant usage on schema blotter_meta to blotter_auditor;
grant select on blotter_meta.migrations to blotter_auditor;
