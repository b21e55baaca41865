-- Report files the agent wrote on schedule, recorded in the ledger (stream 'reports') with
-- their sha256, so a later reader can prove a file is the one produced: hash the file and
-- look for the hash here. One event per report, account, period and format (the
-- idempotency key): a retried job records nothing twice.

create or replace function reports.record_generated(p_report text, p_account text, p_from date, p_to date, p_format text,
                                                    p_file text, p_sha256 text, p_bytes bigint, p_rows bigint, p_generated_at timestamptz)
returns boolean
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_key constant text := 'report:' || p_report || ':' || coalesce(p_account, '*') || ':' || p_from || ':' || p_to || ':' || p_format;
  v_seq bigint;
begin
  if p_sha256 !~ '^[0-9a-f]{64}$' then
    raise exception 'reports.record_generated: sha256 must be 64 hex digits, got %', p_sha256 using errcode = '22023';
  end if;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, account, actor, idempotency_key, payload)
  values ('reports', p_generated_at, 'system', 'report_generated', 'report_file', p_file, p_account, session_user, v_key,
          jsonb_build_object('report', p_report, 'from', p_from, 'to', p_to, 'format', p_format, 'file', p_file, 'sha256', p_sha256,
                             'bytes', p_bytes, 'rows', p_rows, 'generated_at', p_generated_at))
  returning seq into v_seq;
  return v_seq is not null;
end
$$;
comment on function reports.record_generated(text, text, date, date, text, text, text, bigint, bigint, timestamptz) is 'Record a report file the agent wrote (its sha256 proves it later); once per report, account, period and format.';

create or replace function reports.generated_files_all()
returns table (seq bigint, recorded_at timestamptz, report text, account text, period_from date, period_to date, format text, file text,
               sha256 text, bytes bigint, row_count bigint, stream_seq bigint, hash text)
language sql stable security definer set search_path = '' as $$
  select e.seq, e.recorded_at, e.payload ->> 'report', e.account, (e.payload ->> 'from')::date, (e.payload ->> 'to')::date, e.payload ->> 'format',
         e.payload ->> 'file', e.payload ->> 'sha256', (e.payload ->> 'bytes')::bigint, (e.payload ->> 'rows')::bigint, e.stream_seq, encode(e.hash, 'hex')
    from ledger.events e where e.event_type = 'report_generated' and e.stream = 'reports'
$$;
create or replace view reports.generated_files as select * from reports.generated_files_all();
comment on view reports.generated_files is 'Every report file the agent wrote on schedule, with its sha256 (sha256sum FILE and compare) and its place in the chain.';
comment on column reports.generated_files.seq is 'Ledger seq of the report_generated event';
comment on column reports.generated_files.recorded_at is 'When it was recorded';
comment on column reports.generated_files.report is 'Report name (daily, monthly)';
comment on column reports.generated_files.account is 'Account it covers';
comment on column reports.generated_files.period_from is 'First day covered';
comment on column reports.generated_files.period_to is 'Last day covered';
comment on column reports.generated_files.format is 'csv, json, xlsx, html or pdf';
comment on column reports.generated_files.file is 'Path the file was written to';
comment on column reports.generated_files.sha256 is 'SHA-256 of the file''s bytes, hex';
comment on column reports.generated_files.bytes is 'Size in bytes';
comment on column reports.generated_files.row_count is 'Rows written (tables of the report)';
comment on column reports.generated_files.stream_seq is 'Position in stream reports';
comment on column reports.generated_files.hash is 'The event''s hash in the chain (hex)';
