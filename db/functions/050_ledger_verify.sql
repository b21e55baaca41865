-- Set-based verification of the chain. Every link is checkable on its own, so one parallel
-- pass joins each row to its predecessor and recomputes its hash; per-stream counts find
-- gaps and duplicates; the head row is compared with the last row.
-- blotter verify does the same independently in TypeScript and does not call this.

-- Rows whose hash is wrong, whose prev_hash is not the hash of the row before, or which
-- have no row before. RETURN QUERY (not SELECT INTO, which runs with a row limit) lets the
-- server run this join in parallel.
create or replace function ledger.chain_problems(p_stream text default null)
returns table (stream text, stream_seq bigint, reason text)
language plpgsql stable set search_path = '' set work_mem = '256MB' as $$
begin
  -- A row's predecessor is the row before it, or, for the first row after a purge, the
  -- stream's checkpoint (the last purged row's stream_seq and hash).
  return query
  select e.stream, e.stream_seq,
         case when e.stream_seq > 1 and p.stream is null and c.stream_seq is distinct from e.stream_seq - 1 then 'gap'
              when e.prev_hash is distinct from
                   case when e.stream_seq = 1 then ledger.genesis_hash() when p.stream is not null then p.hash else c.hash end then 'broken link'
              else 'hash mismatch' end
    from ledger.events e
    left join ledger.events p
      on p.stream = e.stream and p.stream_seq = e.stream_seq - 1
     and (p_stream is null or p.stream = p_stream)
    left join (select distinct on (k.stream) k.stream, k.stream_seq, k.hash from ledger.checkpoints k
                order by k.stream, k.stream_seq desc) c on c.stream = e.stream
   where (p_stream is null or e.stream = p_stream)
     and ((e.stream_seq > 1 and p.stream is null and c.stream_seq is distinct from e.stream_seq - 1)
          or e.prev_hash is distinct from
             case when e.stream_seq = 1 then ledger.genesis_hash() when p.stream is not null then p.hash else c.hash end
          or sha256(e.prev_hash || ledger.canonical_bytes(
               e.stream, e.stream_seq, e.recorded_at, e.occurred_at, e.source, e.event_type,
               e.entity_type, e.entity_id, e.account, e.actor, e.session_id,
               e.idempotency_key, e.payload)) <> e.hash);
end
$$;

create or replace function ledger.verify(p_stream text default null)
returns table (stream text, rows_checked bigint, first_bad_stream_seq bigint, reason text, detail text)
language plpgsql stable set search_path = '' as $$
declare
  v_stats    record;
  v_problems jsonb;
  v_last     bytea;
  v_missing  bigint;
  v_dup      bigint;
begin
  -- The first problem row of each stream (the rest add nothing to the report).
  select coalesce(jsonb_object_agg(f.stream, jsonb_build_array(f.stream_seq, f.reason)), '{}'::jsonb)
    into v_problems
    from (select distinct on (c.stream) c.stream, c.stream_seq, c.reason
            from ledger.chain_problems(p_stream) c
           order by c.stream, c.stream_seq,
                    case c.reason when 'gap' then 1 when 'broken link' then 2 else 3 end) f;

  for v_stats in
    select coalesce(s.stream, h.stream) as stream, coalesce(s.n, 0) as n, s.min_seq, s.max_seq,
           h.stream_seq as head_seq, h.hash as head_hash, c.stream_seq as cp_seq, c.hash as cp_hash
      from (select e.stream, count(*) as n, min(e.stream_seq) as min_seq, max(e.stream_seq) as max_seq
              from ledger.events e where p_stream is null or e.stream = p_stream
             group by e.stream) s
      full join (select t.stream, t.stream_seq, t.hash from ledger.streams t
                  where p_stream is null or t.stream = p_stream) h on h.stream = s.stream
      left join (select distinct on (k.stream) k.stream, k.stream_seq, k.hash from ledger.checkpoints k
                  order by k.stream, k.stream_seq desc) c on c.stream = coalesce(s.stream, h.stream)
     order by 1
  loop
    stream := v_stats.stream;
    rows_checked := v_stats.n;
    first_bad_stream_seq := null;
    reason := null;
    detail := null;

    -- Candidates: the first row problem, the first missing stream_seq, the first duplicate.
    if v_problems ? v_stats.stream then
      first_bad_stream_seq := (v_problems -> v_stats.stream ->> 0)::bigint;
      reason := v_problems -> v_stats.stream ->> 1;
      if reason = 'gap' then
        select coalesce(max(e.stream_seq), v_stats.cp_seq, 0) + 1 into v_missing
          from ledger.events e where e.stream = v_stats.stream and e.stream_seq < first_bad_stream_seq;
        detail := format('stream_seq %s follows %s', first_bad_stream_seq, v_missing - 1);
        first_bad_stream_seq := v_missing;
      elsif reason = 'broken link' then
        detail := 'prev_hash is not the hash of the row before';
      else
        detail := 'hash does not match the row''s contents';
      end if;
    end if;
    -- A purged stream starts after its checkpoint; any other starts at 1.
    if v_stats.n > 0 and v_stats.min_seq > coalesce(v_stats.cp_seq, 0) + 1
       and (first_bad_stream_seq is null or first_bad_stream_seq > coalesce(v_stats.cp_seq, 0) + 1) then
      first_bad_stream_seq := coalesce(v_stats.cp_seq, 0) + 1;
      reason := 'gap';
      detail := case when v_stats.cp_seq is null then format('the stream starts at stream_seq %s', v_stats.min_seq)
                     else format('the stream starts at stream_seq %s after its checkpoint at %s', v_stats.min_seq, v_stats.cp_seq) end;
    end if;
    if v_stats.n > 0 and v_stats.min_seq <= v_stats.cp_seq then
      first_bad_stream_seq := v_stats.min_seq;
      reason := 'gap';
      detail := format('stream_seq %s is still here although the stream was purged up to %s', v_stats.min_seq, v_stats.cp_seq);
    end if;
    if v_stats.n > v_stats.max_seq - v_stats.min_seq + 1 then
      select e.stream_seq into v_dup from ledger.events e where e.stream = v_stats.stream
       group by e.stream_seq having count(*) > 1 order by e.stream_seq limit 1;
      if first_bad_stream_seq is null or v_dup <= first_bad_stream_seq then
        first_bad_stream_seq := v_dup;
        reason := 'gap';
        detail := format('stream_seq %s appears more than once', v_dup);
      end if;
    end if;

    if reason is null then
      if v_stats.n = 0 and v_stats.cp_seq is not null and v_stats.head_seq = v_stats.cp_seq and v_stats.head_hash = v_stats.cp_hash then
        null;  -- every row purged: the head is the checkpoint
      elsif v_stats.n = 0 then
        first_bad_stream_seq := v_stats.head_seq;
        reason := 'head mismatch';
        detail := format('head at stream_seq %s but the stream has no rows', v_stats.head_seq);
      elsif v_stats.head_seq is null then
        first_bad_stream_seq := v_stats.max_seq;
        reason := 'head mismatch';
        detail := format('no head for a stream whose last row is stream_seq %s', v_stats.max_seq);
      elsif v_stats.head_seq <> v_stats.max_seq then
        first_bad_stream_seq := least(v_stats.head_seq, v_stats.max_seq);
        reason := 'head mismatch';
        detail := format('head at stream_seq %s, last row at %s', v_stats.head_seq, v_stats.max_seq);
      else
        select e.hash into v_last from ledger.events e
         where e.stream = v_stats.stream and e.stream_seq = v_stats.max_seq;
        if v_last <> v_stats.head_hash then
          first_bad_stream_seq := v_stats.max_seq;
          reason := 'head mismatch';
          detail := 'head hash differs from the last row''s hash';
        end if;
      end if;
    end if;
    return next;
  end loop;
end
$$;

comment on function ledger.verify(text) is
  'Recomputes every hash and link of the chain (one stream or all) and reports, per stream, rows checked and the first bad stream_seq with its reason: gap, broken link, hash mismatch or head mismatch.';
