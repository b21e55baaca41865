-- Typed views over what the IB relay recorded (source 'ib'). Numbers come from the wire
-- text, so the numeric casts are exact; they go through ledger.to_* so a value a broker
-- (or a malformed frame) sent that does not cast is NULL, never a view that fails. Commission reports arrive on their own, before,
-- after or without their execution; the view joins them by exec_id when both are there.

create or replace view ledger.ib_executions as
select e.seq, e.recorded_at, e.occurred_at, e.account,
       e.payload ->> 'exec_id' as exec_id,
       e.payload ->> 'exec_base' as exec_base,
       e.payload ->> 'corrects' as corrects,
       ledger.to_bigint(e.payload ->> 'order_id') as order_id,
       ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
       ledger.to_integer(e.payload ->> 'client_id') as client_id,
       e.payload ->> 'order_ref' as order_ref,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency,
       e.payload ->> 'exchange' as exchange,
       e.payload ->> 'side' as side,
       ledger.to_numeric(e.payload ->> 'shares') as shares,
       ledger.to_numeric(e.payload ->> 'price') as price,
       ledger.to_numeric(e.payload ->> 'cum_qty') as cum_qty,
       ledger.to_numeric(e.payload ->> 'avg_price') as avg_price,
       ledger.to_boolean(e.payload ->> 'live') as live,
       c.commission, c.commission_currency, c.realized_pnl
  from ledger.events e
  left join lateral (
    select ledger.to_numeric(x.payload ->> 'commission') as commission, x.payload ->> 'currency' as commission_currency,
           ledger.to_numeric(x.payload ->> 'realized_pnl') as realized_pnl
      from ledger.events x
     where x.event_type = 'ib_commission' and x.entity_id = e.entity_id
     order by x.seq desc limit 1) c on true
 where e.event_type = 'ib_execution';
comment on view ledger.ib_executions is 'Executions as IB reported them (ib_execution), one row per execId (a correction is its own row, linked by corrects), with the commission report joined when it has arrived (NULL until then, never 0).';
comment on column ledger.ib_executions.exec_base is 'execId up to its last dot: a correction shares it with the execution it corrects';
comment on column ledger.ib_executions.corrects is 'execId of the earlier execution this one corrects, when the relay saw it';
comment on column ledger.ib_executions.commission is 'From the commission report for this execId; NULL until it arrives';
comment on column ledger.ib_executions.live is 'true for a fill pushed live (reqId -1), false for one from a backfill';

create or replace view ledger.ib_commissions_unmatched as
select x.seq, x.recorded_at, x.entity_id as exec_id, ledger.to_numeric(x.payload ->> 'commission') as commission, x.payload ->> 'currency' as currency
  from ledger.events x
 where x.event_type = 'ib_commission'
   and not exists (select 1 from ledger.events e where e.event_type = 'ib_execution' and e.entity_id = x.entity_id);
comment on view ledger.ib_commissions_unmatched is 'Commission reports whose execution the relay has not recorded (yet): other clients'' fills, or fills from before the backfill window.';
