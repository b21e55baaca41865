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

-- Orders as IB reported them: open orders (ib_open_order) and completed ones
-- (ib_completed_order), one row per report; the latest row of a perm_id is its state.
create or replace view ledger.ib_orders as
select e.seq, e.recorded_at, e.account, e.event_type = 'ib_completed_order' as completed,
       ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
       ledger.to_bigint(e.payload ->> 'order_id') as order_id,
       ledger.to_bigint(e.payload ->> 'client_id') as client_id,
       ledger.to_bigint(e.payload ->> 'parent_id') as parent_id,
       e.payload ->> 'order_ref' as order_ref,
       e.payload ->> 'status' as status,
       e.payload ->> 'action' as action,
       ledger.to_numeric(e.payload ->> 'total_quantity') as total_quantity,
       e.payload ->> 'order_type' as order_type,
       ledger.to_numeric(e.payload ->> 'lmt_price') as lmt_price,
       ledger.to_numeric(e.payload ->> 'aux_price') as aux_price,
       e.payload ->> 'tif' as tif,
       ledger.to_numeric(e.payload ->> 'filled_quantity') as filled_quantity,
       e.payload ->> 'completed_status' as completed_status,
       e.payload ->> 'completed_time' as completed_time,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency
  from ledger.events e
 where e.event_type in ('ib_open_order', 'ib_completed_order');
comment on view ledger.ib_orders is 'Orders as IB reported them (openOrder and completedOrder), one row per report; the latest row of a perm_id is its state. Includes orders placed by hand in TWS (clientId 0 sees them).';
comment on column ledger.ib_orders.completed is 'true for a completedOrder report (filled, cancelled or inactive), false for an openOrder';
comment on column ledger.ib_orders.perm_id is 'IB permanent order id: stable across sessions and clients';
comment on column ledger.ib_orders.order_ref is 'orderRef the bot sent with the order: how an IB order is matched to the bot''s';

create or replace view ledger.ib_order_statuses as
select e.seq, e.recorded_at,
       ledger.to_bigint(e.payload ->> 'order_id') as order_id,
       ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
       ledger.to_bigint(e.payload ->> 'client_id') as client_id,
       e.payload ->> 'status' as status,
       ledger.to_numeric(e.payload ->> 'filled') as filled,
       ledger.to_numeric(e.payload ->> 'remaining') as remaining,
       ledger.to_numeric(e.payload ->> 'avg_fill_price') as avg_fill_price,
       ledger.to_numeric(e.payload ->> 'last_fill_price') as last_fill_price,
       e.payload ->> 'why_held' as why_held
  from ledger.events e
 where e.event_type = 'ib_order_status';
comment on view ledger.ib_order_statuses is 'orderStatus messages from IB, one row each (the account is not part of the message: join ledger.ib_orders by perm_id).';

-- Positions: every row carries the id of the snapshot (one reqPositions) it belongs to; a
-- snapshot is complete once its ib_snapshot_end arrived. Positions absent from the latest
-- complete snapshot are flat; an incomplete snapshot is never read as flat.
create or replace view ledger.ib_position_snapshots as
select s.snapshot_id, min(s.recorded_at) as begun_at, e.completed_at, count(s.*) as rows
  from (select e.payload ->> 'snapshot_id' as snapshot_id, e.recorded_at
          from ledger.events e where e.event_type = 'ib_position' and e.payload ? 'snapshot_id') s
  left join lateral (
    select min(x.recorded_at) as completed_at from ledger.events x
     where x.event_type = 'ib_snapshot_end' and x.entity_id = 'positions' and x.payload ->> 'snapshot_id' = s.snapshot_id) e on true
 group by s.snapshot_id, e.completed_at;
comment on view ledger.ib_position_snapshots is 'One row per positions snapshot the relay requested: when its first row and its end marker (completed_at; NULL while incomplete) were recorded.';

create or replace view ledger.ib_positions as
select e.seq, e.recorded_at, e.account,
       e.payload ->> 'snapshot_id' as snapshot_id,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier,
       ledger.to_numeric(e.payload ->> 'position') as position,
       ledger.to_numeric(e.payload ->> 'avg_cost') as avg_cost
  from ledger.events e
 where e.event_type = 'ib_position';
comment on view ledger.ib_positions is 'Positions as IB reported them (position), one row per report. A row belongs to a snapshot (snapshot_id); see ledger.ib_position_snapshots for which are complete.';
comment on column ledger.ib_positions.avg_cost is 'IB average cost per unit, multiplier included for derivatives';

create or replace view ledger.ib_account_values as
select e.seq, e.recorded_at, e.account,
       case e.event_type when 'ib_account_summary' then 'summary' else 'update' end as origin,
       coalesce(e.payload ->> 'tag', e.payload ->> 'key') as key,
       e.payload ->> 'value' as value_text,
       ledger.to_numeric(e.payload ->> 'value') as value,
       e.payload ->> 'currency' as currency
  from ledger.events e
 where e.event_type in ('ib_account_summary', 'ib_account_value');
comment on view ledger.ib_account_values is 'Account values IB reported: accountSummary tags (origin summary) and updateAccountValue keys (origin update), e.g. NetLiquidation, CashBalance per currency. value is NULL when the text is not a number.';

create or replace view ledger.ib_pnl as
select e.seq, e.recorded_at, e.account,
       ledger.to_numeric(e.payload ->> 'daily') as daily,
       ledger.to_numeric(e.payload ->> 'unrealized') as unrealized,
       ledger.to_numeric(e.payload ->> 'realized') as realized
  from ledger.events e
 where e.event_type = 'ib_pnl';
comment on view ledger.ib_pnl is 'Account P&L IB pushed (reqPnL), one row per update; NULL where IB sent its "unset" value.';

-- Column comments for the views of IB's side (one place, so none is forgotten).
comment on column ledger.ib_orders.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_orders.recorded_at is 'When the ledger recorded the report';
comment on column ledger.ib_orders.account is 'IB account of the order';
comment on column ledger.ib_orders.order_id is 'IB orderId (per client id; 0 or 2147483647 for orders placed in TWS)';
comment on column ledger.ib_orders.client_id is 'API client id that placed the order (0: TWS or the master client)';
comment on column ledger.ib_orders.parent_id is 'Parent order of a bracket';
comment on column ledger.ib_orders.status is 'Order state IB sent with the report (openOrder''s orderState.status)';
comment on column ledger.ib_orders.action is 'BUY or SELL';
comment on column ledger.ib_orders.total_quantity is 'Order quantity (exact decimal from the wire)';
comment on column ledger.ib_orders.order_type is 'IB order type (LMT, MKT, ...)';
comment on column ledger.ib_orders.lmt_price is 'Limit price; NULL when IB sent its "unset" value';
comment on column ledger.ib_orders.aux_price is 'Stop or trigger price; NULL when unset';
comment on column ledger.ib_orders.tif is 'Time in force';
comment on column ledger.ib_orders.filled_quantity is 'Quantity filled, when IB reports it (completed orders)';
comment on column ledger.ib_orders.completed_status is 'Final status of a completed order (Filled, Cancelled, Inactive)';
comment on column ledger.ib_orders.completed_time is 'When IB completed the order, as IB wrote it';
comment on column ledger.ib_orders.con_id is 'IB contract id';
comment on column ledger.ib_orders.symbol is 'Contract symbol';
comment on column ledger.ib_orders.sec_type is 'IB security type';
comment on column ledger.ib_orders.currency is 'Contract currency';
comment on column ledger.ib_order_statuses.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_order_statuses.recorded_at is 'When the ledger recorded the message';
comment on column ledger.ib_order_statuses.order_id is 'IB orderId';
comment on column ledger.ib_order_statuses.perm_id is 'IB permanent order id (join ledger.ib_orders on it)';
comment on column ledger.ib_order_statuses.client_id is 'API client id that placed the order';
comment on column ledger.ib_order_statuses.status is 'Submitted, Filled, Cancelled, Inactive, PreSubmitted, ...';
comment on column ledger.ib_order_statuses.filled is 'Quantity filled so far';
comment on column ledger.ib_order_statuses.remaining is 'Quantity still open';
comment on column ledger.ib_order_statuses.avg_fill_price is 'Average fill price so far';
comment on column ledger.ib_order_statuses.last_fill_price is 'Price of the latest fill';
comment on column ledger.ib_order_statuses.why_held is 'Why IB holds the order, if it does';
comment on column ledger.ib_position_snapshots.snapshot_id is 'Id of one reqPositions (relay run and request number)';
comment on column ledger.ib_position_snapshots.begun_at is 'When its first row was recorded';
comment on column ledger.ib_position_snapshots.completed_at is 'When its end marker (positionEnd) was recorded; NULL while incomplete';
comment on column ledger.ib_position_snapshots.rows is 'Position rows recorded for it (updates after the end marker included)';
comment on column ledger.ib_positions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_positions.recorded_at is 'When the ledger recorded the row';
comment on column ledger.ib_positions.account is 'IB account';
comment on column ledger.ib_positions.snapshot_id is 'The snapshot the row belongs to (ledger.ib_position_snapshots)';
comment on column ledger.ib_positions.con_id is 'IB contract id';
comment on column ledger.ib_positions.symbol is 'Contract symbol';
comment on column ledger.ib_positions.sec_type is 'IB security type';
comment on column ledger.ib_positions.currency is 'Contract currency';
comment on column ledger.ib_positions.multiplier is 'Contract multiplier';
comment on column ledger.ib_positions.position is 'Signed quantity held (negative is short), exact from the wire';
comment on column ledger.ib_account_values.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_account_values.recorded_at is 'When the ledger recorded it';
comment on column ledger.ib_account_values.account is 'IB account';
comment on column ledger.ib_account_values.origin is 'summary (reqAccountSummary) or update (reqAccountUpdates)';
comment on column ledger.ib_account_values.key is 'IB tag or key, e.g. NetLiquidation, CashBalance, TotalCashValue';
comment on column ledger.ib_account_values.value_text is 'The value exactly as IB sent it';
comment on column ledger.ib_account_values.value is 'The value as numeric; NULL when it is not a number';
comment on column ledger.ib_account_values.currency is 'Currency of the value (BASE for the base-currency total of some keys)';
comment on column ledger.ib_pnl.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_pnl.recorded_at is 'When the ledger recorded the update';
comment on column ledger.ib_pnl.account is 'IB account';
comment on column ledger.ib_pnl.daily is 'Daily P&L';
comment on column ledger.ib_pnl.unrealized is 'Unrealized P&L';
comment on column ledger.ib_pnl.realized is 'Realized P&L';
comment on column ledger.ib_executions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_executions.recorded_at is 'When the ledger recorded the execution';
comment on column ledger.ib_executions.occurred_at is 'Execution time as IB reported it, in UTC';
comment on column ledger.ib_executions.account is 'IB account';
comment on column ledger.ib_executions.exec_id is 'IB execId';
comment on column ledger.ib_executions.order_id is 'IB orderId';
comment on column ledger.ib_executions.perm_id is 'IB permanent order id';
comment on column ledger.ib_executions.client_id is 'API client id that placed the order';
comment on column ledger.ib_executions.order_ref is 'orderRef the bot sent with the order';
comment on column ledger.ib_executions.con_id is 'IB contract id';
comment on column ledger.ib_executions.symbol is 'Contract symbol';
comment on column ledger.ib_executions.sec_type is 'IB security type';
comment on column ledger.ib_executions.currency is 'Contract currency';
comment on column ledger.ib_executions.exchange is 'Execution venue';
comment on column ledger.ib_executions.side is 'BOT or SLD, as IB writes it';
comment on column ledger.ib_executions.shares is 'Quantity filled (exact decimal from the wire)';
comment on column ledger.ib_executions.price is 'Fill price (exact decimal from the wire)';
comment on column ledger.ib_executions.cum_qty is 'Cumulative quantity of the order so far';
comment on column ledger.ib_executions.avg_price is 'Average price of the order so far';
comment on column ledger.ib_executions.commission_currency is 'Currency of the commission';
comment on column ledger.ib_executions.realized_pnl is 'Realized P&L IB reported with the commission; NULL when unset';
comment on column ledger.ib_commissions_unmatched.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.ib_commissions_unmatched.recorded_at is 'When the ledger recorded the commission report';
comment on column ledger.ib_commissions_unmatched.exec_id is 'execId the report is for';
comment on column ledger.ib_commissions_unmatched.commission is 'Commission (positive is a cost)';
comment on column ledger.ib_commissions_unmatched.currency is 'Currency of the commission';
