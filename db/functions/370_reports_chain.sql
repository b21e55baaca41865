-- Chain status: the database verifies every stream's hash chain (ledger.verify) once a day
-- (graphile-worker task verify_chain) and records the outcome as an event, stream
-- 'verify', so the record of verifications is itself chained. reports.chain_status shows
-- each stream's last verification and how far its head has moved since.

create or replace function reports.record_chain_verification()
returns table (streams integer, problems integer, seq bigint)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_result jsonb;
  v_ms     numeric;
  v_start  timestamptz := pg_catalog.clock_timestamp();
begin
  select coalesce(jsonb_agg(jsonb_build_object('stream', v.stream, 'rows_checked', v.rows_checked, 'ok', v.reason is null,
                                               'first_bad_stream_seq', v.first_bad_stream_seq, 'reason', v.reason, 'detail', v.detail)
                            order by v.stream), '[]'::jsonb)
    into v_result
    from ledger.verify() v where v.stream <> 'verify';
  v_ms := extract(epoch from pg_catalog.clock_timestamp() - v_start) * 1000;
  insert into ledger.events (stream, occurred_at, source, event_type, entity_type, entity_id, actor, payload)
  values ('verify', pg_catalog.clock_timestamp(), 'system', 'chain_verified', 'chain', 'all', session_user,
          jsonb_build_object('streams', v_result, 'ok', not jsonb_path_exists(v_result, '$[*] ? (@.ok == false)'), 'ms', round(v_ms)));
  return query select jsonb_array_length(v_result), (select count(*)::integer from jsonb_array_elements(v_result) x where not (x ->> 'ok')::boolean),
                      (select max(e.seq) from ledger.events e where e.stream = 'verify');
end
$$;
comment on function reports.record_chain_verification() is 'Verify every stream''s hash chain (ledger.verify) and record the outcome as a chain_verified event in stream verify; returns the number of streams and of streams with a problem.';

create or replace function reports.chain_status_all()
returns table (stream text, verified_at timestamptz, ok boolean, rows_checked bigint, first_bad_stream_seq bigint, reason text,
               head_stream_seq bigint, head_updated_at timestamptz, rows_since bigint)
language sql stable security definer set search_path = '' rows 100 as $$
  with last as (
    select e.recorded_at, e.payload from ledger.events e
     where e.stream = 'verify' and e.event_type = 'chain_verified' order by e.stream_seq desc limit 1
  ),
  v as (
    select x ->> 'stream' as stream, l.recorded_at, ledger.to_boolean(x ->> 'ok') as ok, ledger.to_bigint(x ->> 'rows_checked') as rows_checked,
           ledger.to_bigint(x ->> 'first_bad_stream_seq') as first_bad, x ->> 'reason' as reason
      from last l cross join lateral jsonb_array_elements(case when jsonb_typeof(l.payload -> 'streams') = 'array' then l.payload -> 'streams' else '[]' end) x
  )
  select coalesce(s.stream, v.stream), v.recorded_at, v.ok, v.rows_checked, v.first_bad, v.reason, s.stream_seq, s.updated_at,
         case when v.rows_checked is not null then s.stream_seq - v.rows_checked else s.stream_seq end
    from ledger.streams s full join v on v.stream = s.stream
   where coalesce(s.stream, v.stream) <> 'verify'
$$;
create or replace view reports.chain_status as select * from reports.chain_status_all();
comment on view reports.chain_status is 'Each stream''s hash chain as the last daily verification found it (task verify_chain, recorded in stream verify), and how far its head has moved since. A stream never verified has verified_at NULL.';
comment on column reports.chain_status.stream is 'Ledger stream';
comment on column reports.chain_status.verified_at is 'When the last verification ran';
comment on column reports.chain_status.ok is 'true: every link and hash checked out; false: see first_bad_stream_seq and reason';
comment on column reports.chain_status.rows_checked is 'Rows verified then';
comment on column reports.chain_status.first_bad_stream_seq is 'First stream_seq with a problem';
comment on column reports.chain_status.reason is 'gap, broken link, hash mismatch, ...';
comment on column reports.chain_status.head_stream_seq is 'The stream''s head now';
comment on column reports.chain_status.head_updated_at is 'When the head last moved';
comment on column reports.chain_status.rows_since is 'Rows appended since the verification (head now - rows checked then)';
