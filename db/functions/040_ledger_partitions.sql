-- Monthly partitions of ledger.events, created ahead of time by a daily job so the
-- DEFAULT partition only catches what falls outside them.

create or replace function ledger.ensure_partitions(p_months_ahead integer default 3)
returns setof text
language plpgsql security definer set search_path = '' as $$
declare
  v_month date;
  v_name  text;
begin
  if p_months_ahead is null or p_months_ahead < 0 or p_months_ahead > 120 then
    raise exception 'ensure_partitions: months_ahead must be between 0 and 120, got %', p_months_ahead
      using errcode = '22023';
  end if;
  for v_month in
    select generate_series(date_trunc('month', now() at time zone 'UTC')::date,
                           (date_trunc('month', now() at time zone 'UTC') + make_interval(months => p_months_ahead))::date,
                           interval '1 month')::date
  loop
    v_name := 'events_' || to_char(v_month, 'YYYYMM');
    continue when to_regclass('ledger.' || v_name) is not null;
    -- Rows already in the DEFAULT partition for this month cannot be moved (that would be a
    -- DELETE); leave the month there and say so rather than fail the job.
    if exists (select 1 from ledger.events_default
                where recorded_at >= (v_month::timestamp at time zone 'UTC')
                  and recorded_at < ((v_month + interval '1 month')::timestamp at time zone 'UTC')) then
      raise warning 'ledger.ensure_partitions: % has rows in ledger.events_default; month left there', v_name;
      continue;
    end if;
    execute format('create table ledger.%I partition of ledger.events for values from (%L) to (%L)',
                   v_name,
                   (v_month::timestamp at time zone 'UTC'),
                   ((v_month + interval '1 month')::timestamp at time zone 'UTC'));
    execute format('create trigger _110_no_truncate before truncate on ledger.%I
                    for each statement execute function ledger.tg_refuse_change()', v_name);
    return next v_name;
  end loop;
end
$$;
