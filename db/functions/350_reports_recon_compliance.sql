-- Reconciliation and compliance reports: views over recon.* and the ledger, behind security
-- definer functions (blotter_bi reads reports only).

-- Per account, New York day, break category and severity: what reconciliation did that day.
create or replace function reports.reconciliation_all()
returns table (account text, day date, category text, severity text, runs integer, opened integer, reopened integer, cleared integer,
               acknowledged integer, resolved integer, escalated integer, open_now integer, avg_open_age interval, avg_time_to_close interval)
language sql stable security definer set search_path = '' rows 1000 as $$
  with h as (
    select b.break_id, b.account, (b.recorded_at at time zone 'America/New_York')::date as day, b.recorded_at, b.what,
           split_part(b.break_id, ':', 1) as category, coalesce(b.severity, s.severity) as severity, s.first_seen_at
      from recon.break_history b
      left join recon.breaks s on s.break_id = b.break_id
  ),
  runs as (
    select r.account, (r.as_of at time zone 'America/New_York')::date as day, count(distinct r.run_id)::integer as runs
      from recon.runs r group by 1, 2
  ),
  per as (
    select h.account, h.day, h.category, h.severity,
           count(*) filter (where h.what = 'opened')::integer as opened, count(*) filter (where h.what = 'reopened')::integer as reopened,
           count(*) filter (where h.what = 'cleared')::integer as cleared, count(*) filter (where h.what = 'acknowledge')::integer as acknowledged,
           count(*) filter (where h.what = 'resolve')::integer as resolved, count(*) filter (where h.what = 'escalate')::integer as escalated,
           avg(h.recorded_at - h.first_seen_at) filter (where h.what in ('cleared', 'resolve')) as avg_time_to_close
      from h group by 1, 2, 3, 4
  ),
  open_now as (
    select s.account, split_part(s.break_id, ':', 1) as category, s.severity_now as severity, count(*)::integer as n,
           avg(pg_catalog.now() - s.first_seen_at) as age
      from recon.breaks s where s.status in ('open', 'acknowledged', 'escalated') group by 1, 2, 3
  )
  select p.account, p.day, p.category, p.severity, coalesce(r.runs, 0), p.opened, p.reopened, p.cleared, p.acknowledged, p.resolved, p.escalated,
         coalesce(o.n, 0), o.age, p.avg_time_to_close
    from per p
    left join runs r on r.account = p.account and r.day = p.day
    left join open_now o on o.account = p.account and o.category = p.category and o.severity = p.severity
$$;
create or replace view reports.reconciliation as select * from reports.reconciliation_all();
comment on view reports.reconciliation is 'Reconciliation per account, New York day, break category and severity: runs that day, breaks opened, reopened, cleared, acknowledged, resolved and escalated, the ones open now with their average age, and the average time from first seen to cleared or resolved.';
comment on column reports.reconciliation.account is 'IB account';
comment on column reports.reconciliation.day is 'New York date of the steps counted';
comment on column reports.reconciliation.category is 'Break category (execution.mismatch, position.bot_differs, statement.execution_live_differs, ...)';
comment on column reports.reconciliation.severity is 'Severity the step recorded (the break''s current one for reviews)';
comment on column reports.reconciliation.runs is 'Reconciliation runs of the account with an as_of that day (all categories)';
comment on column reports.reconciliation.opened is 'Breaks opened';
comment on column reports.reconciliation.reopened is 'Breaks that came back after being cleared or resolved';
comment on column reports.reconciliation.cleared is 'Breaks a run found gone';
comment on column reports.reconciliation.acknowledged is 'Reviews: acknowledged';
comment on column reports.reconciliation.resolved is 'Reviews: resolved (with a note)';
comment on column reports.reconciliation.escalated is 'Reviews: escalated';
comment on column reports.reconciliation.open_now is 'Breaks of this account, category and current severity open now (open, acknowledged or escalated)';
comment on column reports.reconciliation.avg_open_age is 'Their average age now (since first seen)';
comment on column reports.reconciliation.avg_time_to_close is 'Average time from first seen to cleared or resolved, for those closed that day';

-- Every event about one order, in ledger order, with what proves it: stream, stream_seq and
-- hash (checkable against the chain with blotter verify).
create or replace function reports.order_trail_all()
returns table (account text, order_key text, seq bigint, recorded_at timestamptz, occurred_at timestamptz, source text, event_type text,
               stream text, stream_seq bigint, hash text, actor text, summary jsonb)
language sql stable security definer set search_path = '' rows 10000 as $$
  -- IB's order messages carry the permId and not always the orderRef (orderStatus has
  -- neither it nor the account): the open orders and fills that carry both tie them.
  with refs as (
    select distinct on (e.payload ->> 'perm_id') e.payload ->> 'perm_id' as perm_id, e.payload ->> 'order_ref' as order_ref, e.account
      from ledger.events e
     where e.event_type in ('ib_open_order', 'ib_completed_order', 'ib_execution') and nullif(e.payload ->> 'order_ref', '') is not null
       and e.payload ->> 'perm_id' is not null and e.payload ->> 'perm_id' <> '0'
     order by e.payload ->> 'perm_id', e.seq
  ),
  o as (
    -- an order is known by its orderRef, else IB's permId, else the bot's client order id
    select e.seq, coalesce(e.account, r.account) as account,
           coalesce(nullif(e.payload ->> 'order_ref', ''), r.order_ref, 'perm:' || nullif(e.payload ->> 'perm_id', '0'), 'client:' || (e.payload ->> 'client_order_id')) as order_key
      from ledger.events e
      left join refs r on r.perm_id = e.payload ->> 'perm_id'
     where e.event_type in ('order_submitted', 'order_status', 'order_cancel_requested', 'order_modified', 'execution', 'commission',
                            'ib_open_order', 'ib_completed_order', 'ib_order_status', 'ib_execution')
    union all
    select e.seq, e.account, coalesce(nullif(e.payload -> 'raw' ->> 'orderReference', ''), 'ib-order:' || coalesce(e.payload -> 'raw' ->> 'ibOrderID', e.payload -> 'raw' ->> 'orderID'))
      from ledger.events e where e.source = 'flex' and e.event_type = 'flex_trade'
  )
  select o.account, o.order_key, e.seq, e.recorded_at, e.occurred_at, e.source, e.event_type, e.stream, e.stream_seq, encode(e.hash, 'hex'), privacy.reveal(e.actor),
         privacy.reveal_json(e.payload - 'raw' - 'dates' - 'contract')
    from o join ledger.events e on e.seq = o.seq
   where o.order_key is not null
$$;
create or replace view reports.order_trail as select * from reports.order_trail_all();
comment on view reports.order_trail is 'Every event about an order (the bot''s, IB''s live feed, the statement''s fills, reconciliation''s corrections), with its stream, stream_seq and hash: filter by order_key and order by seq for one order''s story, checkable against the chain.';
comment on column reports.order_trail.account is 'Account';
comment on column reports.order_trail.order_key is 'The order''s orderRef, else perm:<IB permId>, else client:<the bot''s client order id>, else ib-order:<statement order id>';
comment on column reports.order_trail.seq is 'Ledger seq (the order of events)';
comment on column reports.order_trail.recorded_at is 'When the ledger recorded it';
comment on column reports.order_trail.occurred_at is 'When it happened, as reported';
comment on column reports.order_trail.source is 'bot, ib, flex, system (reconciliation) or user';
comment on column reports.order_trail.event_type is 'Event type';
comment on column reports.order_trail.stream is 'Ledger stream';
comment on column reports.order_trail.stream_seq is 'Position in its stream';
comment on column reports.order_trail.hash is 'The event''s hash in the chain (hex)';
comment on column reports.order_trail.actor is 'Who acted, when recorded';
comment on column reports.order_trail.summary is 'The payload without raw statement attributes, dates and contract';

create or replace function reports.config_changes_all()
returns table (seq bigint, recorded_at timestamptz, occurred_at timestamptz, account text, actor text, source text, payload jsonb, stream text, stream_seq bigint, hash text)
language sql stable security definer set search_path = '' rows 1000 as $$
  select e.seq, e.recorded_at, e.occurred_at, e.account, privacy.reveal(e.actor), e.source, privacy.reveal_json(e.payload), e.stream, e.stream_seq, encode(e.hash, 'hex')
    from ledger.events e where e.event_type = 'config_change'
$$;
create or replace view reports.config_changes as select * from reports.config_changes_all();
comment on view reports.config_changes is 'Every configuration change (config_change events: the bot''s, and reconciliation settings changed with recon.set_setting), with who made it and its place in the chain.';

create or replace function reports.user_actions_all()
returns table (seq bigint, recorded_at timestamptz, occurred_at timestamptz, account text, actor text, event_type text, payload jsonb, stream text, stream_seq bigint, hash text)
language sql stable security definer set search_path = '' rows 1000 as $$
  select e.seq, e.recorded_at, e.occurred_at, e.account, privacy.reveal(e.actor), e.event_type, privacy.reveal_json(e.payload), e.stream, e.stream_seq, encode(e.hash, 'hex')
    from ledger.events e where e.event_type in ('user_action', 'recon_break_review', 'report_defined')
$$;
create or replace view reports.user_actions as select * from reports.user_actions_all();
comment on view reports.user_actions is 'Every action a person took: user_action events, reviews of reconciliation breaks (acknowledge, resolve with its note, escalate) and custom report definitions, with the actor and the place in the chain.';
do $$
declare v text; c record;
begin
  foreach v in array array['config_changes', 'user_actions'] loop
    for c in select * from (values ('seq', 'Ledger seq'), ('recorded_at', 'When the ledger recorded it'), ('occurred_at', 'When it happened, as reported'),
                                   ('account', 'Account, when one'), ('actor', 'Who'), ('source', 'Who reported it'), ('event_type', 'user_action, recon_break_review or report_defined'),
                                   ('payload', 'What, as recorded'), ('stream', 'Ledger stream'), ('stream_seq', 'Position in its stream'),
                                   ('hash', 'The event''s hash in the chain (hex)')) x(col, doc)
             where exists (select 1 from pg_catalog.pg_attribute a where a.attrelid = ('reports.' || v)::regclass and a.attname = x.col) loop
      execute format('comment on column reports.%I.%I is %L', v, c.col, c.doc);
    end loop;
  end loop;
end
$$;
