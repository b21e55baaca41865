-- Personal data (issue 12, crypto-shredding): fields that identify a person are stored
-- encrypted with a key per subject, kept here, apart from the chain; erasing a subject
-- destroys its key. The triggers and functions are in db/functions/015_ledger_personal_data.sql.

-- pgcrypto is a trusted extension: the database owner's CREATE right is enough. Its
-- functions live in their own schema, out of everyone's search_path.
create schema crypto;
comment on schema crypto is 'The pgcrypto extension''s functions (used by schema privacy).';
do $$
begin
  if exists (select 1 from pg_catalog.pg_extension where extname = 'pgcrypto') then
    raise exception 'pgcrypto is already installed in schema %; blotter needs it in schema crypto: ALTER EXTENSION pgcrypto SET SCHEMA crypto (as its owner) and migrate again',
      (select n.nspname from pg_catalog.pg_extension x join pg_catalog.pg_namespace n on n.oid = x.extnamespace where x.extname = 'pgcrypto');
  end if;
end
$$;
create extension pgcrypto with schema crypto;
revoke all on schema crypto from public;

create schema privacy;
comment on schema privacy is 'Personal data: which fields hold it, the per-subject keys that encrypt it, and erasure (crypto-shredding).';

-- One secret per installation: the lookup of an identifier is its HMAC under this, so a
-- name finds its subject without the name being stored.
create table privacy.install_secret (
  only_row   boolean primary key default true check (only_row),
  secret     bytea   not null check (length(secret) = 32)
);
insert into privacy.install_secret (secret) values (crypto.gen_random_bytes(32));
comment on table privacy.install_secret is 'The HMAC key that turns an identifier (user name, e-mail) into privacy.subject_keys.lookup. Readable by the owner only.';

create table privacy.subject_keys (
  subject_id    uuid        primary key default crypto.gen_random_uuid(),
  lookup        bytea       unique check (length(lookup) = 32),
  key           bytea       check (length(key) = 32),
  created_at    timestamptz not null default now(),
  erased_at     timestamptz,
  erased_reason text,
  -- erased: nothing left that identifies or decrypts; not erased: both there
  check ((erased_at is null) = (key is not null and lookup is not null)),
  check ((erased_at is null) = (erased_reason is null))
);
comment on table privacy.subject_keys is 'One row per data subject (an identifier as written, lower-cased): the key its fields are encrypted with. Erasure sets key and lookup to NULL. Readable by the owner only.';
comment on column privacy.subject_keys.lookup is 'HMAC-SHA-256 of the lower-cased identifier under privacy.install_secret';
comment on column privacy.subject_keys.key is 'AES-256 key of the subject''s fields; NULL once erased';
comment on column privacy.subject_keys.created_at is 'Start of the transaction that first recorded the subject (its tokens are in rows recorded at or after it)';

-- Which fields hold personal data. Set from the config's privacy section at agent start
-- (privacy.set_fields); these are the defaults (docs/operations.md, "Personal data and erasure").
create table privacy.fields (
  spec        text   primary key,
  kind        text   not null check (kind in ('event', 'log')),
  event_type  text,
  source      text,
  col         text   not null check (col in ('actor', 'payload', 'fields')),
  path        text[] not null default '{}',
  check (kind = 'event' and (event_type is null) <> (source is null) and col in ('actor', 'payload')
         or kind = 'log' and event_type is null and source is null and col = 'fields'),
  check ((col = 'actor') = (cardinality(path) = 0))
);
comment on table privacy.fields is 'Fields stored encrypted per subject: spec as written in the config (event_type:path, source=NAME:path, log:path).';

insert into privacy.fields (spec, kind, event_type, source, col, path) values
  ('user_action:actor', 'event', 'user_action', null, 'actor', '{}'),
  ('config_change:actor', 'event', 'config_change', null, 'actor', '{}'),
  ('source=user:actor', 'event', null, 'user', 'actor', '{}'),
  ('user_action:payload.details.user', 'event', 'user_action', null, 'payload', '{details,user}'),
  ('user_action:payload.details.user_name', 'event', 'user_action', null, 'payload', '{details,user_name}'),
  ('user_action:payload.details.username', 'event', 'user_action', null, 'payload', '{details,username}'),
  ('user_action:payload.details.email', 'event', 'user_action', null, 'payload', '{details,email}'),
  ('source=user:payload.session_user', 'event', null, 'user', 'payload', '{session_user}'),
  ('log:user', 'log', null, null, 'fields', '{user}'),
  ('log:user_name', 'log', null, null, 'fields', '{user_name}'),
  ('log:username', 'log', null, null, 'fields', '{username}'),
  ('log:email', 'log', null, null, 'fields', '{email}'),
  ('log:actor', 'log', null, null, 'fields', '{actor}');
