-- The review console's people (agent/console): who may sign in to /console and as what.
-- Only a password hash is kept (scrypt, made by `blotter users add`); every change to a
-- person is also an event in stream console (db/functions/500_console.sql).
create schema console;

create table console.users (
  name                  text        primary key,
  role                  text        not null,
  password_hash         text        not null,
  -- A password printed once by `users add` or `users reset` must be replaced at the first sign-in.
  must_change_password  boolean     not null default true,
  created_at            timestamptz not null default clock_timestamp(),
  created_by            text        not null default session_user,
  password_changed_at   timestamptz,
  disabled_at           timestamptz,
  constraint users_name_check check (name ~ '^[a-z][a-z0-9._-]{0,62}$'),
  constraint users_role_check check (role in ('viewer', 'reviewer', 'admin')),
  constraint users_password_hash_check check (password_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$')
);
comment on table console.users is 'People who may sign in to the review console: viewer (reads), reviewer and admin (also acknowledge, escalate and resolve breaks). Passwords as scrypt hashes only.';
