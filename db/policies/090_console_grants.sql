-- What the review console may do. Re-applied on every migrate: revoke, then grant.
--   blotter_console  the console's connections (agent/console): reads what an auditor reads,
--                    and acts only through console.* functions that name the person; it is
--                    not a blotter_reviewer, so it cannot review a break without naming one.
-- People and their password hashes are the owner's (`blotter users`).

revoke all on schema console from public;
revoke all on all tables in schema console from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi, blotter_console;
revoke all on all functions in schema console from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi, blotter_console;

-- blotter_console is a member of blotter_auditor (db/bootstrap.sql: roles are the cluster's).
grant usage on schema console to blotter_console, blotter_auditor;
grant select on console.user_list to blotter_auditor;
grant execute on function console.user_for_sign_in(text), console.change_password(text, text),
  console.review_break(text, text, text, text), console.search_events(text, text, text, text, text, timestamptz, timestamptz, integer),
  console.break_events(text, integer)
  to blotter_console;
grant execute on function console.search_events(text, text, text, text, text, timestamptz, timestamptz, integer), console.break_events(text, integer)
  to blotter_auditor;
