-- Typed views over ledger.events, one per event type of the bot's vocabulary.
-- Generated from agent/ingest/vocabulary.ts by `npm run docs`; do not edit by hand.
-- Decimals are numeric, times timestamptz; the journal stays the only stored copy.

create or replace view ledger.orders as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'client_order_id' as client_order_id,
       e.payload ->> 'order_ref' as order_ref,
       (e.payload ->> 'ib_order_id')::bigint as ib_order_id,
       e.payload ->> 'parent_id' as parent_id,
       (e.payload -> 'contract' ->> 'con_id')::bigint as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency,
       e.payload -> 'contract' ->> 'exchange' as exchange,
       e.payload -> 'contract' ->> 'primary_exchange' as primary_exchange,
       e.payload -> 'contract' ->> 'local_symbol' as local_symbol,
       e.payload -> 'contract' ->> 'last_trade_date' as last_trade_date,
       (e.payload -> 'contract' ->> 'strike')::numeric as strike,
       e.payload -> 'contract' ->> 'right' as right,
       (e.payload -> 'contract' ->> 'multiplier')::numeric as multiplier,
       e.payload ->> 'side' as side,
       (e.payload ->> 'quantity')::numeric as quantity,
       e.payload ->> 'order_type' as order_type,
       (e.payload ->> 'limit_price')::numeric as limit_price,
       (e.payload ->> 'stop_price')::numeric as stop_price,
       e.payload ->> 'tif' as tif,
       (e.payload ->> 'good_till')::timestamptz as good_till,
       e.payload ->> 'strategy' as strategy,
       e.payload ->> 'signal_id' as signal_id,
       (e.payload ->> 'decision_price')::numeric as decision_price,
       (e.payload ->> 'arrival_price')::numeric as arrival_price,
       e.payload ->> 'notes' as notes
  from ledger.events e where e.event_type = 'order_submitted';
comment on view ledger.orders is 'Orders the bot submitted (event_type order_submitted), one row per order.';
comment on column ledger.orders.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.orders.stream is 'Chain the event belongs to';
comment on column ledger.orders.stream_seq is 'Position in its stream';
comment on column ledger.orders.recorded_at is 'When the ledger recorded it';
comment on column ledger.orders.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.orders.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.orders.account is 'Broker account';
comment on column ledger.orders.actor is 'Who acted';
comment on column ledger.orders.session_id is 'Session of the reporter';
comment on column ledger.orders.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.orders.client_order_id is 'The bot''s own id for the order';
comment on column ledger.orders.order_ref is 'IB orderRef sent with the order (how broker fills are matched back)';
comment on column ledger.orders.ib_order_id is 'IB orderId, when known';
comment on column ledger.orders.parent_id is 'Parent order of a bracket or OCA group';
comment on column ledger.orders.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.orders.symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.orders.sec_type is 'Contract: IB security type';
comment on column ledger.orders.currency is 'Contract: ISO 4217 currency code';
comment on column ledger.orders.exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.orders.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.orders.local_symbol is 'Contract: IB local symbol';
comment on column ledger.orders.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.orders.strike is 'Contract: Option strike';
comment on column ledger.orders.right is 'Contract: Option right';
comment on column ledger.orders.multiplier is 'Contract: Contract multiplier';
comment on column ledger.orders.side is 'Direction';
comment on column ledger.orders.quantity is 'Order quantity';
comment on column ledger.orders.order_type is 'IB order type';
comment on column ledger.orders.limit_price is 'Limit price (LMT, STP LMT, LOC, LIT, TRAIL LIMIT)';
comment on column ledger.orders.stop_price is 'Stop or trigger price (STP, STP LMT, MIT, LIT, TRAIL)';
comment on column ledger.orders.tif is 'Time in force';
comment on column ledger.orders.good_till is 'Expiry for GTD orders';
comment on column ledger.orders.strategy is 'Strategy that placed it';
comment on column ledger.orders.signal_id is 'Signal that led to it';
comment on column ledger.orders.decision_price is 'Price when the decision was made';
comment on column ledger.orders.arrival_price is 'Market price when the order reached the broker';
comment on column ledger.orders.notes is 'Free text';

create or replace view ledger.order_statuses as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'client_order_id' as client_order_id,
       (e.payload ->> 'ib_order_id')::bigint as ib_order_id,
       (e.payload ->> 'perm_id')::bigint as perm_id,
       e.payload ->> 'status' as status,
       (e.payload ->> 'filled')::numeric as filled,
       (e.payload ->> 'remaining')::numeric as remaining,
       (e.payload ->> 'avg_fill_price')::numeric as avg_fill_price,
       (e.payload ->> 'last_fill_price')::numeric as last_fill_price,
       e.payload ->> 'why_held' as why_held,
       e.payload ->> 'reason' as reason
  from ledger.events e where e.event_type = 'order_status';
comment on view ledger.order_statuses is 'Order status changes the bot reported (order_status).';
comment on column ledger.order_statuses.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.order_statuses.stream is 'Chain the event belongs to';
comment on column ledger.order_statuses.stream_seq is 'Position in its stream';
comment on column ledger.order_statuses.recorded_at is 'When the ledger recorded it';
comment on column ledger.order_statuses.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.order_statuses.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.order_statuses.account is 'Broker account';
comment on column ledger.order_statuses.actor is 'Who acted';
comment on column ledger.order_statuses.session_id is 'Session of the reporter';
comment on column ledger.order_statuses.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.order_statuses.client_order_id is 'The bot''s id for the order';
comment on column ledger.order_statuses.ib_order_id is 'IB orderId';
comment on column ledger.order_statuses.perm_id is 'IB permId (64-bit)';
comment on column ledger.order_statuses.status is 'IB order status';
comment on column ledger.order_statuses.filled is 'Quantity filled so far';
comment on column ledger.order_statuses.remaining is 'Quantity still open';
comment on column ledger.order_statuses.avg_fill_price is 'Average fill price so far';
comment on column ledger.order_statuses.last_fill_price is 'Price of the latest fill';
comment on column ledger.order_statuses.why_held is 'IB whyHeld';
comment on column ledger.order_statuses.reason is 'Rejection or cancel reason';

create or replace view ledger.order_cancel_requests as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'client_order_id' as client_order_id,
       (e.payload ->> 'ib_order_id')::bigint as ib_order_id,
       e.payload ->> 'reason' as reason
  from ledger.events e where e.event_type = 'order_cancel_requested';
comment on view ledger.order_cancel_requests is 'Cancels the bot requested (order_cancel_requested).';
comment on column ledger.order_cancel_requests.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.order_cancel_requests.stream is 'Chain the event belongs to';
comment on column ledger.order_cancel_requests.stream_seq is 'Position in its stream';
comment on column ledger.order_cancel_requests.recorded_at is 'When the ledger recorded it';
comment on column ledger.order_cancel_requests.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.order_cancel_requests.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.order_cancel_requests.account is 'Broker account';
comment on column ledger.order_cancel_requests.actor is 'Who acted';
comment on column ledger.order_cancel_requests.session_id is 'Session of the reporter';
comment on column ledger.order_cancel_requests.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.order_cancel_requests.client_order_id is 'The bot''s id for the order';
comment on column ledger.order_cancel_requests.ib_order_id is 'IB orderId';
comment on column ledger.order_cancel_requests.reason is 'Why';

create or replace view ledger.order_modifications as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'client_order_id' as client_order_id,
       (e.payload ->> 'ib_order_id')::bigint as ib_order_id,
       (e.payload ->> 'quantity')::numeric as quantity,
       (e.payload ->> 'limit_price')::numeric as limit_price,
       (e.payload ->> 'stop_price')::numeric as stop_price,
       e.payload ->> 'tif' as tif,
       e.payload ->> 'reason' as reason
  from ledger.events e where e.event_type = 'order_modified';
comment on view ledger.order_modifications is 'Changes the bot made to working orders (order_modified).';
comment on column ledger.order_modifications.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.order_modifications.stream is 'Chain the event belongs to';
comment on column ledger.order_modifications.stream_seq is 'Position in its stream';
comment on column ledger.order_modifications.recorded_at is 'When the ledger recorded it';
comment on column ledger.order_modifications.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.order_modifications.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.order_modifications.account is 'Broker account';
comment on column ledger.order_modifications.actor is 'Who acted';
comment on column ledger.order_modifications.session_id is 'Session of the reporter';
comment on column ledger.order_modifications.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.order_modifications.client_order_id is 'The bot''s id for the order';
comment on column ledger.order_modifications.ib_order_id is 'IB orderId';
comment on column ledger.order_modifications.quantity is 'New quantity';
comment on column ledger.order_modifications.limit_price is 'New limit price';
comment on column ledger.order_modifications.stop_price is 'New stop price';
comment on column ledger.order_modifications.tif is 'New time in force';
comment on column ledger.order_modifications.reason is 'Why';

create or replace view ledger.executions as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'exec_id' as exec_id,
       e.payload ->> 'client_order_id' as client_order_id,
       e.payload ->> 'order_ref' as order_ref,
       (e.payload ->> 'ib_order_id')::bigint as ib_order_id,
       (e.payload ->> 'perm_id')::bigint as perm_id,
       (e.payload -> 'contract' ->> 'con_id')::bigint as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency,
       e.payload -> 'contract' ->> 'exchange' as contract_exchange,
       e.payload -> 'contract' ->> 'primary_exchange' as primary_exchange,
       e.payload -> 'contract' ->> 'local_symbol' as local_symbol,
       e.payload -> 'contract' ->> 'last_trade_date' as last_trade_date,
       (e.payload -> 'contract' ->> 'strike')::numeric as strike,
       e.payload -> 'contract' ->> 'right' as right,
       (e.payload -> 'contract' ->> 'multiplier')::numeric as multiplier,
       e.payload ->> 'side' as side,
       (e.payload ->> 'quantity')::numeric as quantity,
       (e.payload ->> 'price')::numeric as price,
       e.payload ->> 'exchange' as exchange,
       (e.payload ->> 'commission')::numeric as commission,
       e.payload ->> 'commission_currency' as commission_currency,
       e.payload ->> 'liquidity' as liquidity
  from ledger.events e where e.event_type = 'execution';
comment on view ledger.executions is 'Fills (event_type execution), from the bot and, later, the broker relay; source tells which.';
comment on column ledger.executions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.executions.stream is 'Chain the event belongs to';
comment on column ledger.executions.stream_seq is 'Position in its stream';
comment on column ledger.executions.recorded_at is 'When the ledger recorded it';
comment on column ledger.executions.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.executions.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.executions.account is 'Broker account';
comment on column ledger.executions.actor is 'Who acted';
comment on column ledger.executions.session_id is 'Session of the reporter';
comment on column ledger.executions.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.executions.exec_id is 'IB execId';
comment on column ledger.executions.client_order_id is 'The bot''s id for the order';
comment on column ledger.executions.order_ref is 'IB orderRef';
comment on column ledger.executions.ib_order_id is 'IB orderId';
comment on column ledger.executions.perm_id is 'IB permId';
comment on column ledger.executions.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.executions.symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.executions.sec_type is 'Contract: IB security type';
comment on column ledger.executions.currency is 'Contract: ISO 4217 currency code';
comment on column ledger.executions.contract_exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.executions.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.executions.local_symbol is 'Contract: IB local symbol';
comment on column ledger.executions.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.executions.strike is 'Contract: Option strike';
comment on column ledger.executions.right is 'Contract: Option right';
comment on column ledger.executions.multiplier is 'Contract: Contract multiplier';
comment on column ledger.executions.side is 'Direction of the fill';
comment on column ledger.executions.quantity is 'Filled quantity';
comment on column ledger.executions.price is 'Fill price';
comment on column ledger.executions.exchange is 'Execution venue';
comment on column ledger.executions.commission is 'Commission, when known (positive is a cost)';
comment on column ledger.executions.commission_currency is 'ISO 4217 currency code';
comment on column ledger.executions.liquidity is 'Liquidity flag';

create or replace view ledger.position_snapshots as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key
  from ledger.events e where e.event_type = 'position_snapshot';
comment on view ledger.position_snapshots is 'Position snapshots the bot reported, one row per snapshot.';
comment on column ledger.position_snapshots.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.position_snapshots.stream is 'Chain the event belongs to';
comment on column ledger.position_snapshots.stream_seq is 'Position in its stream';
comment on column ledger.position_snapshots.recorded_at is 'When the ledger recorded it';
comment on column ledger.position_snapshots.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.position_snapshots.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.position_snapshots.account is 'Broker account';
comment on column ledger.position_snapshots.actor is 'Who acted';
comment on column ledger.position_snapshots.session_id is 'Session of the reporter';
comment on column ledger.position_snapshots.idempotency_key is 'Idempotency key it arrived with';

create or replace view ledger.positions as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       x.ord as item_no,
       (x.item -> 'contract' ->> 'con_id')::bigint as con_id,
       x.item -> 'contract' ->> 'symbol' as symbol,
       x.item -> 'contract' ->> 'sec_type' as sec_type,
       x.item -> 'contract' ->> 'currency' as currency,
       x.item -> 'contract' ->> 'exchange' as exchange,
       x.item -> 'contract' ->> 'primary_exchange' as primary_exchange,
       x.item -> 'contract' ->> 'local_symbol' as local_symbol,
       x.item -> 'contract' ->> 'last_trade_date' as last_trade_date,
       (x.item -> 'contract' ->> 'strike')::numeric as strike,
       x.item -> 'contract' ->> 'right' as right,
       (x.item -> 'contract' ->> 'multiplier')::numeric as multiplier,
       (x.item ->> 'quantity')::numeric as quantity,
       (x.item ->> 'avg_cost')::numeric as avg_cost,
       (x.item ->> 'market_price')::numeric as market_price
  from ledger.events e cross join lateral jsonb_array_elements(e.payload -> 'positions') with ordinality as x(item, ord)
 where e.event_type = 'position_snapshot';
comment on view ledger.positions is 'Positions the bot believed it held: one row per instrument per position_snapshot.';
comment on column ledger.positions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.positions.stream is 'Chain the event belongs to';
comment on column ledger.positions.stream_seq is 'Position in its stream';
comment on column ledger.positions.recorded_at is 'When the ledger recorded it';
comment on column ledger.positions.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.positions.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.positions.account is 'Broker account';
comment on column ledger.positions.actor is 'Who acted';
comment on column ledger.positions.session_id is 'Session of the reporter';
comment on column ledger.positions.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.positions.item_no is 'Position of the item in the snapshot, from 1';
comment on column ledger.positions.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.positions.symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.positions.sec_type is 'Contract: IB security type';
comment on column ledger.positions.currency is 'Contract: ISO 4217 currency code';
comment on column ledger.positions.exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.positions.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.positions.local_symbol is 'Contract: IB local symbol';
comment on column ledger.positions.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.positions.strike is 'Contract: Option strike';
comment on column ledger.positions.right is 'Contract: Option right';
comment on column ledger.positions.multiplier is 'Contract: Contract multiplier';
comment on column ledger.positions.quantity is 'Signed quantity: negative is short';
comment on column ledger.positions.avg_cost is 'Average cost per unit';
comment on column ledger.positions.market_price is 'Mark price';

create or replace view ledger.account_values as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'base_currency' as base_currency,
       (e.payload ->> 'net_liquidation')::numeric as net_liquidation,
       (e.payload ->> 'buying_power')::numeric as buying_power,
       (e.payload ->> 'equity_with_loan')::numeric as equity_with_loan,
       (e.payload ->> 'maintenance_margin')::numeric as maintenance_margin,
       (e.payload ->> 'initial_margin')::numeric as initial_margin
  from ledger.events e where e.event_type = 'account_snapshot';
comment on view ledger.account_values is 'Account values the bot reported (account_snapshot): net liquidation, margins, buying power.';
comment on column ledger.account_values.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.account_values.stream is 'Chain the event belongs to';
comment on column ledger.account_values.stream_seq is 'Position in its stream';
comment on column ledger.account_values.recorded_at is 'When the ledger recorded it';
comment on column ledger.account_values.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.account_values.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.account_values.account is 'Broker account';
comment on column ledger.account_values.actor is 'Who acted';
comment on column ledger.account_values.session_id is 'Session of the reporter';
comment on column ledger.account_values.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.account_values.base_currency is 'ISO 4217 currency code';
comment on column ledger.account_values.net_liquidation is 'Net liquidation value in the base currency';
comment on column ledger.account_values.buying_power is 'Buying power';
comment on column ledger.account_values.equity_with_loan is 'Equity with loan value';
comment on column ledger.account_values.maintenance_margin is 'Maintenance margin requirement';
comment on column ledger.account_values.initial_margin is 'Initial margin requirement';

create or replace view ledger.cash_balances as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       x.ord as item_no,
       x.item ->> 'currency' as currency,
       (x.item ->> 'amount')::numeric as amount
  from ledger.events e cross join lateral jsonb_array_elements(e.payload -> 'cash') with ordinality as x(item, ord)
 where e.event_type = 'account_snapshot';
comment on view ledger.cash_balances is 'Cash per currency the bot believed it held: one row per currency per account_snapshot.';
comment on column ledger.cash_balances.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.cash_balances.stream is 'Chain the event belongs to';
comment on column ledger.cash_balances.stream_seq is 'Position in its stream';
comment on column ledger.cash_balances.recorded_at is 'When the ledger recorded it';
comment on column ledger.cash_balances.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.cash_balances.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.cash_balances.account is 'Broker account';
comment on column ledger.cash_balances.actor is 'Who acted';
comment on column ledger.cash_balances.session_id is 'Session of the reporter';
comment on column ledger.cash_balances.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.cash_balances.item_no is 'Position of the item in the snapshot, from 1';
comment on column ledger.cash_balances.currency is 'ISO 4217 currency code';
comment on column ledger.cash_balances.amount is 'Balance (negative is a loan)';

create or replace view ledger.pnl as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'currency' as currency,
       (e.payload ->> 'daily')::numeric as daily,
       (e.payload ->> 'realized')::numeric as realized,
       (e.payload ->> 'unrealized')::numeric as unrealized,
       (e.payload -> 'contract' ->> 'con_id')::bigint as con_id,
       e.payload -> 'contract' ->> 'symbol' as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as contract_currency,
       e.payload -> 'contract' ->> 'exchange' as exchange,
       e.payload -> 'contract' ->> 'primary_exchange' as primary_exchange,
       e.payload -> 'contract' ->> 'local_symbol' as local_symbol,
       e.payload -> 'contract' ->> 'last_trade_date' as last_trade_date,
       (e.payload -> 'contract' ->> 'strike')::numeric as strike,
       e.payload -> 'contract' ->> 'right' as right,
       (e.payload -> 'contract' ->> 'multiplier')::numeric as multiplier
  from ledger.events e where e.event_type = 'pnl';
comment on view ledger.pnl is 'Profit and loss the bot computed (pnl).';
comment on column ledger.pnl.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.pnl.stream is 'Chain the event belongs to';
comment on column ledger.pnl.stream_seq is 'Position in its stream';
comment on column ledger.pnl.recorded_at is 'When the ledger recorded it';
comment on column ledger.pnl.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.pnl.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.pnl.account is 'Broker account';
comment on column ledger.pnl.actor is 'Who acted';
comment on column ledger.pnl.session_id is 'Session of the reporter';
comment on column ledger.pnl.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.pnl.currency is 'ISO 4217 currency code';
comment on column ledger.pnl.daily is 'Daily P&L';
comment on column ledger.pnl.realized is 'Realized P&L';
comment on column ledger.pnl.unrealized is 'Unrealized P&L';
comment on column ledger.pnl.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.pnl.symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.pnl.sec_type is 'Contract: IB security type';
comment on column ledger.pnl.contract_currency is 'Contract: ISO 4217 currency code';
comment on column ledger.pnl.exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.pnl.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.pnl.local_symbol is 'Contract: IB local symbol';
comment on column ledger.pnl.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.pnl.strike is 'Contract: Option strike';
comment on column ledger.pnl.right is 'Contract: Option right';
comment on column ledger.pnl.multiplier is 'Contract: Contract multiplier';

create or replace view ledger.signals as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'signal_id' as signal_id,
       e.payload ->> 'strategy' as strategy,
       e.payload ->> 'symbol' as symbol,
       (e.payload -> 'contract' ->> 'con_id')::bigint as con_id,
       e.payload -> 'contract' ->> 'symbol' as contract_symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       e.payload -> 'contract' ->> 'currency' as currency,
       e.payload -> 'contract' ->> 'exchange' as exchange,
       e.payload -> 'contract' ->> 'primary_exchange' as primary_exchange,
       e.payload -> 'contract' ->> 'local_symbol' as local_symbol,
       e.payload -> 'contract' ->> 'last_trade_date' as last_trade_date,
       (e.payload -> 'contract' ->> 'strike')::numeric as strike,
       e.payload -> 'contract' ->> 'right' as right,
       (e.payload -> 'contract' ->> 'multiplier')::numeric as multiplier,
       e.payload ->> 'direction' as direction,
       (e.payload ->> 'strength')::numeric as strength,
       (e.payload ->> 'price')::numeric as price,
       e.payload -> 'features' as features
  from ledger.events e where e.event_type = 'signal';
comment on view ledger.signals is 'Strategy signals: what the bot decided and why (signal).';
comment on column ledger.signals.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.signals.stream is 'Chain the event belongs to';
comment on column ledger.signals.stream_seq is 'Position in its stream';
comment on column ledger.signals.recorded_at is 'When the ledger recorded it';
comment on column ledger.signals.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.signals.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.signals.account is 'Broker account';
comment on column ledger.signals.actor is 'Who acted';
comment on column ledger.signals.session_id is 'Session of the reporter';
comment on column ledger.signals.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.signals.signal_id is 'Id the bot gives the signal (orders refer to it)';
comment on column ledger.signals.strategy is 'Strategy name';
comment on column ledger.signals.symbol is 'Instrument symbol';
comment on column ledger.signals.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.signals.contract_symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.signals.sec_type is 'Contract: IB security type';
comment on column ledger.signals.currency is 'Contract: ISO 4217 currency code';
comment on column ledger.signals.exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.signals.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.signals.local_symbol is 'Contract: IB local symbol';
comment on column ledger.signals.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.signals.strike is 'Contract: Option strike';
comment on column ledger.signals.right is 'Contract: Option right';
comment on column ledger.signals.multiplier is 'Contract: Contract multiplier';
comment on column ledger.signals.direction is 'What the signal says';
comment on column ledger.signals.strength is 'Signal strength or score';
comment on column ledger.signals.price is 'Reference price at the signal';
comment on column ledger.signals.features is 'Inputs that produced it (free-form object)';

create or replace view ledger.config_changes as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'key' as key,
       e.payload -> 'old' as old,
       e.payload -> 'new' as new,
       e.payload ->> 'reason' as reason
  from ledger.events e where e.event_type = 'config_change';
comment on view ledger.config_changes is 'Configuration changes, with who and why (config_change).';
comment on column ledger.config_changes.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.config_changes.stream is 'Chain the event belongs to';
comment on column ledger.config_changes.stream_seq is 'Position in its stream';
comment on column ledger.config_changes.recorded_at is 'When the ledger recorded it';
comment on column ledger.config_changes.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.config_changes.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.config_changes.account is 'Broker account';
comment on column ledger.config_changes.actor is 'Who acted';
comment on column ledger.config_changes.session_id is 'Session of the reporter';
comment on column ledger.config_changes.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.config_changes.key is 'Setting, e.g. risk.max_position';
comment on column ledger.config_changes.old is 'Previous value (any JSON; null when new)';
comment on column ledger.config_changes.new is 'New value (any JSON; null when removed)';
comment on column ledger.config_changes.reason is 'Why it changed';

create or replace view ledger.user_actions as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'action' as action,
       e.payload ->> 'target' as target,
       e.payload ->> 'reason' as reason,
       e.payload -> 'details' as details
  from ledger.events e where e.event_type = 'user_action';
comment on view ledger.user_actions is 'Actions people took on the bot (user_action).';
comment on column ledger.user_actions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.user_actions.stream is 'Chain the event belongs to';
comment on column ledger.user_actions.stream_seq is 'Position in its stream';
comment on column ledger.user_actions.recorded_at is 'When the ledger recorded it';
comment on column ledger.user_actions.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.user_actions.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.user_actions.account is 'Broker account';
comment on column ledger.user_actions.actor is 'Who acted';
comment on column ledger.user_actions.session_id is 'Session of the reporter';
comment on column ledger.user_actions.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.user_actions.action is 'What they did, e.g. pause_trading';
comment on column ledger.user_actions.target is 'What they did it to';
comment on column ledger.user_actions.reason is 'Why';
comment on column ledger.user_actions.details is 'Anything else (free-form object)';

create or replace view ledger.connections as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'peer' as peer,
       e.payload ->> 'state' as state,
       e.payload ->> 'detail' as detail,
       (e.payload ->> 'code')::bigint as code
  from ledger.events e where e.event_type = 'connection';
comment on view ledger.connections is 'The bot''s own connection state changes (connection).';
comment on column ledger.connections.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.connections.stream is 'Chain the event belongs to';
comment on column ledger.connections.stream_seq is 'Position in its stream';
comment on column ledger.connections.recorded_at is 'When the ledger recorded it';
comment on column ledger.connections.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.connections.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.connections.account is 'Broker account';
comment on column ledger.connections.actor is 'Who acted';
comment on column ledger.connections.session_id is 'Session of the reporter';
comment on column ledger.connections.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.connections.peer is 'What it connects to, e.g. tws, market_data';
comment on column ledger.connections.state is 'New state';
comment on column ledger.connections.detail is 'Detail';
comment on column ledger.connections.code is 'Broker or library code';

create or replace view ledger.system_events as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       e.actor as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       e.payload ->> 'event' as event,
       e.payload ->> 'version' as version,
       e.payload ->> 'message' as message,
       e.payload -> 'details' as details
  from ledger.events e where e.event_type = 'system';
comment on view ledger.system_events is 'Start, stop, deploy and error events of the bot (system).';
comment on column ledger.system_events.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.system_events.stream is 'Chain the event belongs to';
comment on column ledger.system_events.stream_seq is 'Position in its stream';
comment on column ledger.system_events.recorded_at is 'When the ledger recorded it';
comment on column ledger.system_events.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.system_events.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.system_events.account is 'Broker account';
comment on column ledger.system_events.actor is 'Who acted';
comment on column ledger.system_events.session_id is 'Session of the reporter';
comment on column ledger.system_events.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.system_events.event is 'What happened, e.g. started, stopped, deployed, error';
comment on column ledger.system_events.version is 'Bot version';
comment on column ledger.system_events.message is 'Message';
comment on column ledger.system_events.details is 'Anything else (free-form object)';
