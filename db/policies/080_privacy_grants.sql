-- Who may do what with personal data (schema privacy, crypto). Re-applied on every migrate.
-- The keys and the install secret are the owner's alone: no role reads them, and the
-- triggers, set_fields and erase_subject run as the owner. Readers of the views that show
-- personal fields may call reveal (a token only comes from a row they can already read).
revoke all on schema privacy, crypto from public;
revoke all on all tables in schema privacy from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;
revoke all on all functions in schema privacy from public, blotter_agent, blotter_reviewer, blotter_auditor, blotter_bi;

grant usage on schema privacy to blotter_reviewer, blotter_auditor, blotter_bi;
grant execute on function privacy.reveal(text), privacy.reveal_json(jsonb), privacy.decrypt_token(text), privacy.decrypt_json(jsonb),
  privacy.erased_marker() to blotter_reviewer, blotter_auditor, blotter_bi;
-- which fields are encrypted is no secret
grant select on privacy.fields to blotter_auditor;
