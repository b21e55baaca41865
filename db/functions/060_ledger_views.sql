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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'client_order_id') as client_order_id,
       privacy.reveal(e.payload ->> 'order_ref') as order_ref,
       ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id,
       privacy.reveal(e.payload ->> 'parent_id') as parent_id,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(e.payload -> 'contract' ->> 'symbol') as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(e.payload -> 'contract' ->> 'currency') as currency,
       privacy.reveal(e.payload -> 'contract' ->> 'exchange') as exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(e.payload -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(e.payload -> 'contract' ->> 'strike') as strike,
       e.payload -> 'contract' ->> 'right' as right,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier,
       e.payload ->> 'side' as side,
       ledger.to_numeric(e.payload ->> 'quantity') as quantity,
       e.payload ->> 'order_type' as order_type,
       ledger.to_numeric(e.payload ->> 'limit_price') as limit_price,
       ledger.to_numeric(e.payload ->> 'stop_price') as stop_price,
       e.payload ->> 'tif' as tif,
       ledger.to_timestamptz(e.payload ->> 'good_till') as good_till,
       privacy.reveal(e.payload ->> 'strategy') as strategy,
       privacy.reveal(e.payload ->> 'signal_id') as signal_id,
       ledger.to_numeric(e.payload ->> 'decision_price') as decision_price,
       ledger.to_numeric(e.payload ->> 'arrival_price') as arrival_price,
       privacy.reveal(e.payload ->> 'notes') as notes,
       privacy.reveal_json(e.payload -> 'tax_lots') as tax_lots
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
comment on column ledger.orders.tax_lots is 'Specific tax lots this order closes, in order: the execution ids of their opening fills. Read when the account''s lot method is SPECIFIC (reports.tax_accounts): these lots first, then FIFO for any remainder';

create or replace view ledger.order_statuses as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'client_order_id') as client_order_id,
       ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id,
       ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
       e.payload ->> 'status' as status,
       ledger.to_numeric(e.payload ->> 'filled') as filled,
       ledger.to_numeric(e.payload ->> 'remaining') as remaining,
       ledger.to_numeric(e.payload ->> 'avg_fill_price') as avg_fill_price,
       ledger.to_numeric(e.payload ->> 'last_fill_price') as last_fill_price,
       privacy.reveal(e.payload ->> 'why_held') as why_held,
       privacy.reveal(e.payload ->> 'reason') as reason
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'client_order_id') as client_order_id,
       ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id,
       privacy.reveal(e.payload ->> 'reason') as reason
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'client_order_id') as client_order_id,
       ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id,
       ledger.to_numeric(e.payload ->> 'quantity') as quantity,
       ledger.to_numeric(e.payload ->> 'limit_price') as limit_price,
       ledger.to_numeric(e.payload ->> 'stop_price') as stop_price,
       e.payload ->> 'tif' as tif,
       privacy.reveal(e.payload ->> 'reason') as reason
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'exec_id') as exec_id,
       privacy.reveal(e.payload ->> 'client_order_id') as client_order_id,
       privacy.reveal(e.payload ->> 'order_ref') as order_ref,
       ledger.to_bigint(e.payload ->> 'ib_order_id') as ib_order_id,
       ledger.to_bigint(e.payload ->> 'perm_id') as perm_id,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(e.payload -> 'contract' ->> 'symbol') as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(e.payload -> 'contract' ->> 'currency') as currency,
       privacy.reveal(e.payload -> 'contract' ->> 'exchange') as contract_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(e.payload -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(e.payload -> 'contract' ->> 'strike') as strike,
       e.payload -> 'contract' ->> 'right' as right,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier,
       e.payload ->> 'side' as side,
       ledger.to_numeric(e.payload ->> 'quantity') as quantity,
       ledger.to_numeric(e.payload ->> 'price') as price,
       privacy.reveal(e.payload ->> 'exchange') as exchange,
       ledger.to_numeric(e.payload ->> 'commission') as commission,
       privacy.reveal(e.payload ->> 'commission_currency') as commission_currency,
       e.payload ->> 'liquidity' as liquidity,
       ledger.to_boolean(e.payload ->> 'inferred') as inferred,
       privacy.reveal(e.payload ->> 'recon_run') as recon_run
  from ledger.events e where e.event_type = 'execution';
comment on view ledger.executions is 'Fills (event_type execution) the bot recorded, and fills reconciliation inferred from the broker (source system, inferred true).';
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
comment on column ledger.executions.inferred is 'true when reconciliation appended this fill from the broker''s report (source system): the bot never recorded it';
comment on column ledger.executions.recon_run is 'The reconciliation run that appended it';

create or replace view ledger.commissions as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'exec_id') as exec_id,
       ledger.to_numeric(e.payload ->> 'commission') as commission,
       privacy.reveal(e.payload ->> 'currency') as currency,
       ledger.to_numeric(e.payload ->> 'realized_pnl') as realized_pnl,
       ledger.to_boolean(e.payload ->> 'inferred') as inferred,
       privacy.reveal(e.payload ->> 'recon_run') as recon_run
  from ledger.events e where e.event_type = 'commission';
comment on view ledger.commissions is 'Commissions reported after their fill (commission), by the bot or appended by reconciliation from IB.';
comment on column ledger.commissions.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.commissions.stream is 'Chain the event belongs to';
comment on column ledger.commissions.stream_seq is 'Position in its stream';
comment on column ledger.commissions.recorded_at is 'When the ledger recorded it';
comment on column ledger.commissions.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.commissions.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.commissions.account is 'Broker account';
comment on column ledger.commissions.actor is 'Who acted';
comment on column ledger.commissions.session_id is 'Session of the reporter';
comment on column ledger.commissions.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.commissions.exec_id is 'IB execId of the fill';
comment on column ledger.commissions.commission is 'Commission (positive is a cost)';
comment on column ledger.commissions.currency is 'ISO 4217 currency code';
comment on column ledger.commissions.realized_pnl is 'Realized P&L IB reported with it';
comment on column ledger.commissions.inferred is 'true when reconciliation appended it from IB''s commission report';
comment on column ledger.commissions.recon_run is 'The reconciliation run that appended it';

create or replace view ledger.position_snapshots as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       privacy.reveal(e.actor) as actor,
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       x.ord as item_no,
       ledger.to_bigint(x.item -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(x.item -> 'contract' ->> 'symbol') as symbol,
       x.item -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(x.item -> 'contract' ->> 'currency') as currency,
       privacy.reveal(x.item -> 'contract' ->> 'exchange') as exchange,
       privacy.reveal(x.item -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(x.item -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(x.item -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(x.item -> 'contract' ->> 'strike') as strike,
       x.item -> 'contract' ->> 'right' as right,
       ledger.to_numeric(x.item -> 'contract' ->> 'multiplier') as multiplier,
       ledger.to_numeric(x.item ->> 'quantity') as quantity,
       ledger.to_numeric(x.item ->> 'avg_cost') as avg_cost,
       ledger.to_numeric(x.item ->> 'market_price') as market_price
  from ledger.events e cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload -> 'positions') = 'array' then e.payload -> 'positions' else '[]'::jsonb end) with ordinality as x(item, ord)
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'base_currency') as base_currency,
       ledger.to_numeric(e.payload ->> 'net_liquidation') as net_liquidation,
       ledger.to_numeric(e.payload ->> 'buying_power') as buying_power,
       ledger.to_numeric(e.payload ->> 'equity_with_loan') as equity_with_loan,
       ledger.to_numeric(e.payload ->> 'maintenance_margin') as maintenance_margin,
       ledger.to_numeric(e.payload ->> 'initial_margin') as initial_margin
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       x.ord as item_no,
       privacy.reveal(x.item ->> 'currency') as currency,
       ledger.to_numeric(x.item ->> 'amount') as amount
  from ledger.events e cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload -> 'cash') = 'array' then e.payload -> 'cash' else '[]'::jsonb end) with ordinality as x(item, ord)
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

create or replace view ledger.cash_flows as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'flow_id') as flow_id,
       e.payload ->> 'kind' as kind,
       privacy.reveal(e.payload ->> 'currency') as currency,
       ledger.to_numeric(e.payload ->> 'amount') as amount,
       ledger.to_date(e.payload ->> 'value_date') as value_date,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(e.payload -> 'contract' ->> 'symbol') as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(e.payload -> 'contract' ->> 'currency') as contract_currency,
       privacy.reveal(e.payload -> 'contract' ->> 'exchange') as exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(e.payload -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(e.payload -> 'contract' ->> 'strike') as strike,
       e.payload -> 'contract' ->> 'right' as right,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier,
       privacy.reveal(e.payload ->> 'description') as description
  from ledger.events e where e.event_type = 'cash_flow';
comment on view ledger.cash_flows is 'Cash that entered or left the account other than by trading (cash_flow): deposits, withdrawals, dividends, interest, fees and taxes, signed as the account sees them.';
comment on column ledger.cash_flows.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.cash_flows.stream is 'Chain the event belongs to';
comment on column ledger.cash_flows.stream_seq is 'Position in its stream';
comment on column ledger.cash_flows.recorded_at is 'When the ledger recorded it';
comment on column ledger.cash_flows.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.cash_flows.source is 'Who reported it (bot, ib, user, system, flex)';
comment on column ledger.cash_flows.account is 'Broker account';
comment on column ledger.cash_flows.actor is 'Who acted';
comment on column ledger.cash_flows.session_id is 'Session of the reporter';
comment on column ledger.cash_flows.idempotency_key is 'Idempotency key it arrived with';
comment on column ledger.cash_flows.flow_id is 'The bot''s own id for the flow: the event''s entity id (build the idempotency_key from it too, so a retry is a duplicate)';
comment on column ledger.cash_flows.kind is 'What moved the cash';
comment on column ledger.cash_flows.currency is 'ISO 4217 currency code';
comment on column ledger.cash_flows.amount is 'Signed as the account sees it, never zero: money in is positive (deposit, dividend or interest received, a fee refunded), money out negative (withdrawal, fee, tax, interest paid)';
comment on column ledger.cash_flows.value_date is 'The day the flow counts for (YYYY-MM-DD), when it is not the day of occurred_at';
comment on column ledger.cash_flows.con_id is 'Contract: IB contract id (conId)';
comment on column ledger.cash_flows.symbol is 'Contract: Underlying symbol, e.g. AAPL';
comment on column ledger.cash_flows.sec_type is 'Contract: IB security type';
comment on column ledger.cash_flows.contract_currency is 'Contract: ISO 4217 currency code';
comment on column ledger.cash_flows.exchange is 'Contract: Routing exchange, e.g. SMART';
comment on column ledger.cash_flows.primary_exchange is 'Contract: Primary listing exchange, e.g. NASDAQ';
comment on column ledger.cash_flows.local_symbol is 'Contract: IB local symbol';
comment on column ledger.cash_flows.last_trade_date is 'Contract: Expiry, YYYYMM or YYYYMMDD';
comment on column ledger.cash_flows.strike is 'Contract: Option strike';
comment on column ledger.cash_flows.right is 'Contract: Option right';
comment on column ledger.cash_flows.multiplier is 'Contract: Contract multiplier';
comment on column ledger.cash_flows.description is 'Free text, e.g. the broker''s description of the flow';

create or replace view ledger.pnl as
select e.seq as seq,
       e.stream as stream,
       e.stream_seq as stream_seq,
       e.recorded_at as recorded_at,
       e.occurred_at as occurred_at,
       e.source as source,
       e.account as account,
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'currency') as currency,
       ledger.to_numeric(e.payload ->> 'daily') as daily,
       ledger.to_numeric(e.payload ->> 'realized') as realized,
       ledger.to_numeric(e.payload ->> 'unrealized') as unrealized,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(e.payload -> 'contract' ->> 'symbol') as symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(e.payload -> 'contract' ->> 'currency') as contract_currency,
       privacy.reveal(e.payload -> 'contract' ->> 'exchange') as exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(e.payload -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(e.payload -> 'contract' ->> 'strike') as strike,
       e.payload -> 'contract' ->> 'right' as right,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'signal_id') as signal_id,
       privacy.reveal(e.payload ->> 'strategy') as strategy,
       privacy.reveal(e.payload ->> 'symbol') as symbol,
       ledger.to_bigint(e.payload -> 'contract' ->> 'con_id') as con_id,
       privacy.reveal(e.payload -> 'contract' ->> 'symbol') as contract_symbol,
       e.payload -> 'contract' ->> 'sec_type' as sec_type,
       privacy.reveal(e.payload -> 'contract' ->> 'currency') as currency,
       privacy.reveal(e.payload -> 'contract' ->> 'exchange') as exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'primary_exchange') as primary_exchange,
       privacy.reveal(e.payload -> 'contract' ->> 'local_symbol') as local_symbol,
       privacy.reveal(e.payload -> 'contract' ->> 'last_trade_date') as last_trade_date,
       ledger.to_numeric(e.payload -> 'contract' ->> 'strike') as strike,
       e.payload -> 'contract' ->> 'right' as right,
       ledger.to_numeric(e.payload -> 'contract' ->> 'multiplier') as multiplier,
       e.payload ->> 'direction' as direction,
       ledger.to_numeric(e.payload ->> 'strength') as strength,
       ledger.to_numeric(e.payload ->> 'price') as price,
       privacy.reveal_json(e.payload -> 'features') as features
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'key') as key,
       privacy.reveal_json(e.payload -> 'old') as old,
       privacy.reveal_json(e.payload -> 'new') as new,
       privacy.reveal(e.payload ->> 'reason') as reason
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'action') as action,
       privacy.reveal(e.payload ->> 'target') as target,
       privacy.reveal(e.payload ->> 'reason') as reason,
       privacy.reveal_json(e.payload -> 'details') as details
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'peer') as peer,
       e.payload ->> 'state' as state,
       privacy.reveal(e.payload ->> 'detail') as detail,
       ledger.to_bigint(e.payload ->> 'code') as code
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
       privacy.reveal(e.actor) as actor,
       e.session_id as session_id,
       e.idempotency_key as idempotency_key,
       privacy.reveal(e.payload ->> 'event') as event,
       privacy.reveal(e.payload ->> 'version') as version,
       privacy.reveal(e.payload ->> 'message') as message,
       privacy.reveal_json(e.payload -> 'details') as details
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

create or replace function ledger.event_problems(p_event_type text, p jsonb) returns text[]
language sql stable parallel safe as $$
  select case p_event_type
    when 'order_submitted' then array_remove(array[
      case when (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') then 'payload.client_order_id: is required' end,
      case when not (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') and jsonb_typeof(p -> 'client_order_id') not in ('string', 'number') then 'payload.client_order_id: ' || left((p -> 'client_order_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'order_ref' is null or jsonb_typeof(p -> 'order_ref') = 'null') and jsonb_typeof(p -> 'order_ref') <> 'string' then 'payload.order_ref: ' || left((p -> 'order_ref')::text, 60) || ' is not a string' end,
      case when not (p -> 'ib_order_id' is null or jsonb_typeof(p -> 'ib_order_id') = 'null') and ledger.to_bigint((p -> 'ib_order_id' #>> '{}')) is null then 'payload.ib_order_id: ' || left((p -> 'ib_order_id')::text, 60) || ' is not a 64-bit integer' end,
      case when not (p -> 'parent_id' is null or jsonb_typeof(p -> 'parent_id') = 'null') and jsonb_typeof(p -> 'parent_id') not in ('string', 'number') then 'payload.parent_id: ' || left((p -> 'parent_id')::text, 60) || ' is not a string or an integer' end,
      case when (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') then 'payload.contract: is required' end,
      case when not (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') and jsonb_typeof(p -> 'contract') <> 'object' then 'payload.contract: ' || left((p -> 'contract')::text, 60) || ' is not an object' end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'con_id' is null or jsonb_typeof(p -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((p -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.contract.con_id: ' || left((p -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') then 'payload.contract.symbol: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'symbol') <> 'string' then 'payload.contract.symbol: ' || left((p -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') then 'payload.contract.sec_type: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') and (p -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.contract.sec_type: ' || left((p -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') then 'payload.contract.currency: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') and jsonb_typeof(p -> 'contract' -> 'currency') <> 'string' then 'payload.contract.currency: ' || left((p -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'exchange' is null or jsonb_typeof(p -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'exchange') <> 'string' then 'payload.contract.exchange: ' || left((p -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(p -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.contract.primary_exchange: ' || left((p -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'local_symbol' is null or jsonb_typeof(p -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'local_symbol') <> 'string' then 'payload.contract.local_symbol: ' || left((p -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(p -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(p -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.contract.last_trade_date: ' || left((p -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'strike' is null or jsonb_typeof(p -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((p -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.contract.strike: ' || left((p -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'right' is null or jsonb_typeof(p -> 'contract' -> 'right') = 'null') and (p -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.contract.right: ' || left((p -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'multiplier' is null or jsonb_typeof(p -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((p -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.contract.multiplier: ' || left((p -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end,
      case when (p -> 'side' is null or jsonb_typeof(p -> 'side') = 'null') then 'payload.side: is required' end,
      case when not (p -> 'side' is null or jsonb_typeof(p -> 'side') = 'null') and (p -> 'side' #>> '{}') not in ('BUY', 'SELL') then 'payload.side: ' || left((p -> 'side')::text, 60) || ' is not one of BUY, SELL' end,
      case when (p -> 'quantity' is null or jsonb_typeof(p -> 'quantity') = 'null') then 'payload.quantity: is required' end,
      case when not (p -> 'quantity' is null or jsonb_typeof(p -> 'quantity') = 'null') and ledger.to_numeric((p -> 'quantity' #>> '{}')) is null then 'payload.quantity: ' || left((p -> 'quantity')::text, 60) || ' is not a decimal' end,
      case when (p -> 'order_type' is null or jsonb_typeof(p -> 'order_type') = 'null') then 'payload.order_type: is required' end,
      case when not (p -> 'order_type' is null or jsonb_typeof(p -> 'order_type') = 'null') and (p -> 'order_type' #>> '{}') not in ('MKT', 'LMT', 'STP', 'STP LMT', 'MOC', 'LOC', 'MOO', 'LOO', 'TRAIL', 'TRAIL LIMIT', 'MIT', 'LIT', 'REL', 'MIDPRICE', 'PEG MKT', 'PEG MID', 'VWAP') then 'payload.order_type: ' || left((p -> 'order_type')::text, 60) || ' is not one of MKT, LMT, STP, STP LMT, MOC, LOC, MOO, LOO, TRAIL, TRAIL LIMIT, MIT, LIT, REL, MIDPRICE, PEG MKT, PEG MID, VWAP' end,
      case when not (p -> 'limit_price' is null or jsonb_typeof(p -> 'limit_price') = 'null') and ledger.to_numeric((p -> 'limit_price' #>> '{}')) is null then 'payload.limit_price: ' || left((p -> 'limit_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'stop_price' is null or jsonb_typeof(p -> 'stop_price') = 'null') and ledger.to_numeric((p -> 'stop_price' #>> '{}')) is null then 'payload.stop_price: ' || left((p -> 'stop_price')::text, 60) || ' is not a decimal' end,
      case when (p -> 'tif' is null or jsonb_typeof(p -> 'tif') = 'null') then 'payload.tif: is required' end,
      case when not (p -> 'tif' is null or jsonb_typeof(p -> 'tif') = 'null') and (p -> 'tif' #>> '{}') not in ('DAY', 'GTC', 'IOC', 'FOK', 'GTD', 'OPG', 'DTC') then 'payload.tif: ' || left((p -> 'tif')::text, 60) || ' is not one of DAY, GTC, IOC, FOK, GTD, OPG, DTC' end,
      case when not (p -> 'good_till' is null or jsonb_typeof(p -> 'good_till') = 'null') and ledger.to_timestamptz((p -> 'good_till' #>> '{}')) is null then 'payload.good_till: ' || left((p -> 'good_till')::text, 60) || ' is not an RFC 3339 timestamp with an offset' end,
      case when not (p -> 'strategy' is null or jsonb_typeof(p -> 'strategy') = 'null') and jsonb_typeof(p -> 'strategy') <> 'string' then 'payload.strategy: ' || left((p -> 'strategy')::text, 60) || ' is not a string' end,
      case when not (p -> 'signal_id' is null or jsonb_typeof(p -> 'signal_id') = 'null') and jsonb_typeof(p -> 'signal_id') not in ('string', 'number') then 'payload.signal_id: ' || left((p -> 'signal_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'decision_price' is null or jsonb_typeof(p -> 'decision_price') = 'null') and ledger.to_numeric((p -> 'decision_price' #>> '{}')) is null then 'payload.decision_price: ' || left((p -> 'decision_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'arrival_price' is null or jsonb_typeof(p -> 'arrival_price') = 'null') and ledger.to_numeric((p -> 'arrival_price' #>> '{}')) is null then 'payload.arrival_price: ' || left((p -> 'arrival_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'notes' is null or jsonb_typeof(p -> 'notes') = 'null') and jsonb_typeof(p -> 'notes') <> 'string' then 'payload.notes: ' || left((p -> 'notes')::text, 60) || ' is not a string' end,
      case when not (p -> 'tax_lots' is null or jsonb_typeof(p -> 'tax_lots') = 'null') and jsonb_typeof(p -> 'tax_lots') <> 'array' then 'payload.tax_lots: ' || left((p -> 'tax_lots')::text, 60) || ' is not an array' end]::text[], null)
    when 'order_status' then array_remove(array[
      case when (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') then 'payload.client_order_id: is required' end,
      case when not (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') and jsonb_typeof(p -> 'client_order_id') not in ('string', 'number') then 'payload.client_order_id: ' || left((p -> 'client_order_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'ib_order_id' is null or jsonb_typeof(p -> 'ib_order_id') = 'null') and ledger.to_bigint((p -> 'ib_order_id' #>> '{}')) is null then 'payload.ib_order_id: ' || left((p -> 'ib_order_id')::text, 60) || ' is not a 64-bit integer' end,
      case when not (p -> 'perm_id' is null or jsonb_typeof(p -> 'perm_id') = 'null') and ledger.to_bigint((p -> 'perm_id' #>> '{}')) is null then 'payload.perm_id: ' || left((p -> 'perm_id')::text, 60) || ' is not a 64-bit integer' end,
      case when (p -> 'status' is null or jsonb_typeof(p -> 'status') = 'null') then 'payload.status: is required' end,
      case when not (p -> 'status' is null or jsonb_typeof(p -> 'status') = 'null') and (p -> 'status' #>> '{}') not in ('PendingSubmit', 'PendingCancel', 'PreSubmitted', 'Submitted', 'ApiPending', 'ApiCancelled', 'Cancelled', 'Filled', 'Inactive', 'Rejected') then 'payload.status: ' || left((p -> 'status')::text, 60) || ' is not one of PendingSubmit, PendingCancel, PreSubmitted, Submitted, ApiPending, ApiCancelled, Cancelled, Filled, Inactive, Rejected' end,
      case when (p -> 'filled' is null or jsonb_typeof(p -> 'filled') = 'null') then 'payload.filled: is required' end,
      case when not (p -> 'filled' is null or jsonb_typeof(p -> 'filled') = 'null') and ledger.to_numeric((p -> 'filled' #>> '{}')) is null then 'payload.filled: ' || left((p -> 'filled')::text, 60) || ' is not a decimal' end,
      case when (p -> 'remaining' is null or jsonb_typeof(p -> 'remaining') = 'null') then 'payload.remaining: is required' end,
      case when not (p -> 'remaining' is null or jsonb_typeof(p -> 'remaining') = 'null') and ledger.to_numeric((p -> 'remaining' #>> '{}')) is null then 'payload.remaining: ' || left((p -> 'remaining')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'avg_fill_price' is null or jsonb_typeof(p -> 'avg_fill_price') = 'null') and ledger.to_numeric((p -> 'avg_fill_price' #>> '{}')) is null then 'payload.avg_fill_price: ' || left((p -> 'avg_fill_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'last_fill_price' is null or jsonb_typeof(p -> 'last_fill_price') = 'null') and ledger.to_numeric((p -> 'last_fill_price' #>> '{}')) is null then 'payload.last_fill_price: ' || left((p -> 'last_fill_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'why_held' is null or jsonb_typeof(p -> 'why_held') = 'null') and jsonb_typeof(p -> 'why_held') <> 'string' then 'payload.why_held: ' || left((p -> 'why_held')::text, 60) || ' is not a string' end,
      case when not (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') and jsonb_typeof(p -> 'reason') <> 'string' then 'payload.reason: ' || left((p -> 'reason')::text, 60) || ' is not a string' end]::text[], null)
    when 'order_cancel_requested' then array_remove(array[
      case when (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') then 'payload.client_order_id: is required' end,
      case when not (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') and jsonb_typeof(p -> 'client_order_id') not in ('string', 'number') then 'payload.client_order_id: ' || left((p -> 'client_order_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'ib_order_id' is null or jsonb_typeof(p -> 'ib_order_id') = 'null') and ledger.to_bigint((p -> 'ib_order_id' #>> '{}')) is null then 'payload.ib_order_id: ' || left((p -> 'ib_order_id')::text, 60) || ' is not a 64-bit integer' end,
      case when not (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') and jsonb_typeof(p -> 'reason') <> 'string' then 'payload.reason: ' || left((p -> 'reason')::text, 60) || ' is not a string' end]::text[], null)
    when 'order_modified' then array_remove(array[
      case when (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') then 'payload.client_order_id: is required' end,
      case when not (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') and jsonb_typeof(p -> 'client_order_id') not in ('string', 'number') then 'payload.client_order_id: ' || left((p -> 'client_order_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'ib_order_id' is null or jsonb_typeof(p -> 'ib_order_id') = 'null') and ledger.to_bigint((p -> 'ib_order_id' #>> '{}')) is null then 'payload.ib_order_id: ' || left((p -> 'ib_order_id')::text, 60) || ' is not a 64-bit integer' end,
      case when not (p -> 'quantity' is null or jsonb_typeof(p -> 'quantity') = 'null') and ledger.to_numeric((p -> 'quantity' #>> '{}')) is null then 'payload.quantity: ' || left((p -> 'quantity')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'limit_price' is null or jsonb_typeof(p -> 'limit_price') = 'null') and ledger.to_numeric((p -> 'limit_price' #>> '{}')) is null then 'payload.limit_price: ' || left((p -> 'limit_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'stop_price' is null or jsonb_typeof(p -> 'stop_price') = 'null') and ledger.to_numeric((p -> 'stop_price' #>> '{}')) is null then 'payload.stop_price: ' || left((p -> 'stop_price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'tif' is null or jsonb_typeof(p -> 'tif') = 'null') and (p -> 'tif' #>> '{}') not in ('DAY', 'GTC', 'IOC', 'FOK', 'GTD', 'OPG', 'DTC') then 'payload.tif: ' || left((p -> 'tif')::text, 60) || ' is not one of DAY, GTC, IOC, FOK, GTD, OPG, DTC' end,
      case when not (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') and jsonb_typeof(p -> 'reason') <> 'string' then 'payload.reason: ' || left((p -> 'reason')::text, 60) || ' is not a string' end]::text[], null)
    when 'execution' then array_remove(array[
      case when (p -> 'exec_id' is null or jsonb_typeof(p -> 'exec_id') = 'null') then 'payload.exec_id: is required' end,
      case when not (p -> 'exec_id' is null or jsonb_typeof(p -> 'exec_id') = 'null') and jsonb_typeof(p -> 'exec_id') not in ('string', 'number') then 'payload.exec_id: ' || left((p -> 'exec_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'client_order_id' is null or jsonb_typeof(p -> 'client_order_id') = 'null') and jsonb_typeof(p -> 'client_order_id') not in ('string', 'number') then 'payload.client_order_id: ' || left((p -> 'client_order_id')::text, 60) || ' is not a string or an integer' end,
      case when not (p -> 'order_ref' is null or jsonb_typeof(p -> 'order_ref') = 'null') and jsonb_typeof(p -> 'order_ref') <> 'string' then 'payload.order_ref: ' || left((p -> 'order_ref')::text, 60) || ' is not a string' end,
      case when not (p -> 'ib_order_id' is null or jsonb_typeof(p -> 'ib_order_id') = 'null') and ledger.to_bigint((p -> 'ib_order_id' #>> '{}')) is null then 'payload.ib_order_id: ' || left((p -> 'ib_order_id')::text, 60) || ' is not a 64-bit integer' end,
      case when not (p -> 'perm_id' is null or jsonb_typeof(p -> 'perm_id') = 'null') and ledger.to_bigint((p -> 'perm_id' #>> '{}')) is null then 'payload.perm_id: ' || left((p -> 'perm_id')::text, 60) || ' is not a 64-bit integer' end,
      case when (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') then 'payload.contract: is required' end,
      case when not (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') and jsonb_typeof(p -> 'contract') <> 'object' then 'payload.contract: ' || left((p -> 'contract')::text, 60) || ' is not an object' end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'con_id' is null or jsonb_typeof(p -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((p -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.contract.con_id: ' || left((p -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') then 'payload.contract.symbol: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'symbol') <> 'string' then 'payload.contract.symbol: ' || left((p -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') then 'payload.contract.sec_type: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') and (p -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.contract.sec_type: ' || left((p -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') then 'payload.contract.currency: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') and jsonb_typeof(p -> 'contract' -> 'currency') <> 'string' then 'payload.contract.currency: ' || left((p -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'exchange' is null or jsonb_typeof(p -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'exchange') <> 'string' then 'payload.contract.exchange: ' || left((p -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(p -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.contract.primary_exchange: ' || left((p -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'local_symbol' is null or jsonb_typeof(p -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'local_symbol') <> 'string' then 'payload.contract.local_symbol: ' || left((p -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(p -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(p -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.contract.last_trade_date: ' || left((p -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'strike' is null or jsonb_typeof(p -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((p -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.contract.strike: ' || left((p -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'right' is null or jsonb_typeof(p -> 'contract' -> 'right') = 'null') and (p -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.contract.right: ' || left((p -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'multiplier' is null or jsonb_typeof(p -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((p -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.contract.multiplier: ' || left((p -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end,
      case when (p -> 'side' is null or jsonb_typeof(p -> 'side') = 'null') then 'payload.side: is required' end,
      case when not (p -> 'side' is null or jsonb_typeof(p -> 'side') = 'null') and (p -> 'side' #>> '{}') not in ('BUY', 'SELL') then 'payload.side: ' || left((p -> 'side')::text, 60) || ' is not one of BUY, SELL' end,
      case when (p -> 'quantity' is null or jsonb_typeof(p -> 'quantity') = 'null') then 'payload.quantity: is required' end,
      case when not (p -> 'quantity' is null or jsonb_typeof(p -> 'quantity') = 'null') and ledger.to_numeric((p -> 'quantity' #>> '{}')) is null then 'payload.quantity: ' || left((p -> 'quantity')::text, 60) || ' is not a decimal' end,
      case when (p -> 'price' is null or jsonb_typeof(p -> 'price') = 'null') then 'payload.price: is required' end,
      case when not (p -> 'price' is null or jsonb_typeof(p -> 'price') = 'null') and ledger.to_numeric((p -> 'price' #>> '{}')) is null then 'payload.price: ' || left((p -> 'price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'exchange' is null or jsonb_typeof(p -> 'exchange') = 'null') and jsonb_typeof(p -> 'exchange') <> 'string' then 'payload.exchange: ' || left((p -> 'exchange')::text, 60) || ' is not a string' end,
      case when not (p -> 'commission' is null or jsonb_typeof(p -> 'commission') = 'null') and ledger.to_numeric((p -> 'commission' #>> '{}')) is null then 'payload.commission: ' || left((p -> 'commission')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'commission_currency' is null or jsonb_typeof(p -> 'commission_currency') = 'null') and jsonb_typeof(p -> 'commission_currency') <> 'string' then 'payload.commission_currency: ' || left((p -> 'commission_currency')::text, 60) || ' is not a string' end,
      case when not (p -> 'liquidity' is null or jsonb_typeof(p -> 'liquidity') = 'null') and (p -> 'liquidity' #>> '{}') not in ('added', 'removed', 'routed', 'auction') then 'payload.liquidity: ' || left((p -> 'liquidity')::text, 60) || ' is not one of added, removed, routed, auction' end,
      case when not (p -> 'inferred' is null or jsonb_typeof(p -> 'inferred') = 'null') and jsonb_typeof(p -> 'inferred') <> 'boolean' then 'payload.inferred: ' || left((p -> 'inferred')::text, 60) || ' is not true or false' end,
      case when not (p -> 'recon_run' is null or jsonb_typeof(p -> 'recon_run') = 'null') and jsonb_typeof(p -> 'recon_run') not in ('string', 'number') then 'payload.recon_run: ' || left((p -> 'recon_run')::text, 60) || ' is not a string or an integer' end]::text[], null)
    when 'commission' then array_remove(array[
      case when (p -> 'exec_id' is null or jsonb_typeof(p -> 'exec_id') = 'null') then 'payload.exec_id: is required' end,
      case when not (p -> 'exec_id' is null or jsonb_typeof(p -> 'exec_id') = 'null') and jsonb_typeof(p -> 'exec_id') not in ('string', 'number') then 'payload.exec_id: ' || left((p -> 'exec_id')::text, 60) || ' is not a string or an integer' end,
      case when (p -> 'commission' is null or jsonb_typeof(p -> 'commission') = 'null') then 'payload.commission: is required' end,
      case when not (p -> 'commission' is null or jsonb_typeof(p -> 'commission') = 'null') and ledger.to_numeric((p -> 'commission' #>> '{}')) is null then 'payload.commission: ' || left((p -> 'commission')::text, 60) || ' is not a decimal' end,
      case when (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') then 'payload.currency: is required' end,
      case when not (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') and jsonb_typeof(p -> 'currency') <> 'string' then 'payload.currency: ' || left((p -> 'currency')::text, 60) || ' is not a string' end,
      case when not (p -> 'realized_pnl' is null or jsonb_typeof(p -> 'realized_pnl') = 'null') and ledger.to_numeric((p -> 'realized_pnl' #>> '{}')) is null then 'payload.realized_pnl: ' || left((p -> 'realized_pnl')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'inferred' is null or jsonb_typeof(p -> 'inferred') = 'null') and jsonb_typeof(p -> 'inferred') <> 'boolean' then 'payload.inferred: ' || left((p -> 'inferred')::text, 60) || ' is not true or false' end,
      case when not (p -> 'recon_run' is null or jsonb_typeof(p -> 'recon_run') = 'null') and jsonb_typeof(p -> 'recon_run') not in ('string', 'number') then 'payload.recon_run: ' || left((p -> 'recon_run')::text, 60) || ' is not a string or an integer' end]::text[], null)
    when 'position_snapshot' then array_remove(array[
      case when (p -> 'positions' is null or jsonb_typeof(p -> 'positions') = 'null') then 'payload.positions: is required' end,
      case when not (p -> 'positions' is null or jsonb_typeof(p -> 'positions') = 'null') and jsonb_typeof(p -> 'positions') <> 'array' then 'payload.positions: ' || left((p -> 'positions')::text, 60) || ' is not an array' end,
      (select string_agg(replace(p, 'payload.positions[]', 'payload.positions' || '[' || (x.n - 1) || ']'), '; ')
          from jsonb_array_elements(case when jsonb_typeof(p -> 'positions') = 'array' then p -> 'positions' else '[]'::jsonb end) with ordinality as x(item, n)
          cross join lateral unnest(array[case when jsonb_typeof(x.item) <> 'object' then 'payload.positions[]: ' || left(x.item::text, 60) || ' is not an object' end,
            case when jsonb_typeof(x.item) = 'object' then case when (x.item -> 'contract' is null or jsonb_typeof(x.item -> 'contract') = 'null') then 'payload.positions[].contract: is required' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'contract' is null or jsonb_typeof(x.item -> 'contract') = 'null') and jsonb_typeof(x.item -> 'contract') <> 'object' then 'payload.positions[].contract: ' || left((x.item -> 'contract')::text, 60) || ' is not an object' end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'con_id' is null or jsonb_typeof(x.item -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((x.item -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.positions[].contract.con_id: ' || left((x.item -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when (x.item -> 'contract' -> 'symbol' is null or jsonb_typeof(x.item -> 'contract' -> 'symbol') = 'null') then 'payload.positions[].contract.symbol: is required' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'symbol' is null or jsonb_typeof(x.item -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'symbol') <> 'string' then 'payload.positions[].contract.symbol: ' || left((x.item -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when (x.item -> 'contract' -> 'sec_type' is null or jsonb_typeof(x.item -> 'contract' -> 'sec_type') = 'null') then 'payload.positions[].contract.sec_type: is required' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'sec_type' is null or jsonb_typeof(x.item -> 'contract' -> 'sec_type') = 'null') and (x.item -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.positions[].contract.sec_type: ' || left((x.item -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when (x.item -> 'contract' -> 'currency' is null or jsonb_typeof(x.item -> 'contract' -> 'currency') = 'null') then 'payload.positions[].contract.currency: is required' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'currency' is null or jsonb_typeof(x.item -> 'contract' -> 'currency') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'currency') <> 'string' then 'payload.positions[].contract.currency: ' || left((x.item -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'exchange' is null or jsonb_typeof(x.item -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'exchange') <> 'string' then 'payload.positions[].contract.exchange: ' || left((x.item -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(x.item -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.positions[].contract.primary_exchange: ' || left((x.item -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'local_symbol' is null or jsonb_typeof(x.item -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'local_symbol') <> 'string' then 'payload.positions[].contract.local_symbol: ' || left((x.item -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(x.item -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(x.item -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.positions[].contract.last_trade_date: ' || left((x.item -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'strike' is null or jsonb_typeof(x.item -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((x.item -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.positions[].contract.strike: ' || left((x.item -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'right' is null or jsonb_typeof(x.item -> 'contract' -> 'right') = 'null') and (x.item -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.positions[].contract.right: ' || left((x.item -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when jsonb_typeof(x.item -> 'contract') = 'object' then case when not (x.item -> 'contract' -> 'multiplier' is null or jsonb_typeof(x.item -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((x.item -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.positions[].contract.multiplier: ' || left((x.item -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end end,
            case when jsonb_typeof(x.item) = 'object' then case when (x.item -> 'quantity' is null or jsonb_typeof(x.item -> 'quantity') = 'null') then 'payload.positions[].quantity: is required' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'quantity' is null or jsonb_typeof(x.item -> 'quantity') = 'null') and ledger.to_numeric((x.item -> 'quantity' #>> '{}')) is null then 'payload.positions[].quantity: ' || left((x.item -> 'quantity')::text, 60) || ' is not a decimal' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'avg_cost' is null or jsonb_typeof(x.item -> 'avg_cost') = 'null') and ledger.to_numeric((x.item -> 'avg_cost' #>> '{}')) is null then 'payload.positions[].avg_cost: ' || left((x.item -> 'avg_cost')::text, 60) || ' is not a decimal' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'market_price' is null or jsonb_typeof(x.item -> 'market_price') = 'null') and ledger.to_numeric((x.item -> 'market_price' #>> '{}')) is null then 'payload.positions[].market_price: ' || left((x.item -> 'market_price')::text, 60) || ' is not a decimal' end end]) as p where p is not null)]::text[], null)
    when 'account_snapshot' then array_remove(array[
      case when (p -> 'base_currency' is null or jsonb_typeof(p -> 'base_currency') = 'null') then 'payload.base_currency: is required' end,
      case when not (p -> 'base_currency' is null or jsonb_typeof(p -> 'base_currency') = 'null') and jsonb_typeof(p -> 'base_currency') <> 'string' then 'payload.base_currency: ' || left((p -> 'base_currency')::text, 60) || ' is not a string' end,
      case when (p -> 'net_liquidation' is null or jsonb_typeof(p -> 'net_liquidation') = 'null') then 'payload.net_liquidation: is required' end,
      case when not (p -> 'net_liquidation' is null or jsonb_typeof(p -> 'net_liquidation') = 'null') and ledger.to_numeric((p -> 'net_liquidation' #>> '{}')) is null then 'payload.net_liquidation: ' || left((p -> 'net_liquidation')::text, 60) || ' is not a decimal' end,
      case when (p -> 'cash' is null or jsonb_typeof(p -> 'cash') = 'null') then 'payload.cash: is required' end,
      case when not (p -> 'cash' is null or jsonb_typeof(p -> 'cash') = 'null') and jsonb_typeof(p -> 'cash') <> 'array' then 'payload.cash: ' || left((p -> 'cash')::text, 60) || ' is not an array' end,
      (select string_agg(replace(p, 'payload.cash[]', 'payload.cash' || '[' || (x.n - 1) || ']'), '; ')
          from jsonb_array_elements(case when jsonb_typeof(p -> 'cash') = 'array' then p -> 'cash' else '[]'::jsonb end) with ordinality as x(item, n)
          cross join lateral unnest(array[case when jsonb_typeof(x.item) <> 'object' then 'payload.cash[]: ' || left(x.item::text, 60) || ' is not an object' end,
            case when jsonb_typeof(x.item) = 'object' then case when (x.item -> 'currency' is null or jsonb_typeof(x.item -> 'currency') = 'null') then 'payload.cash[].currency: is required' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'currency' is null or jsonb_typeof(x.item -> 'currency') = 'null') and jsonb_typeof(x.item -> 'currency') <> 'string' then 'payload.cash[].currency: ' || left((x.item -> 'currency')::text, 60) || ' is not a string' end end,
            case when jsonb_typeof(x.item) = 'object' then case when (x.item -> 'amount' is null or jsonb_typeof(x.item -> 'amount') = 'null') then 'payload.cash[].amount: is required' end end,
            case when jsonb_typeof(x.item) = 'object' then case when not (x.item -> 'amount' is null or jsonb_typeof(x.item -> 'amount') = 'null') and ledger.to_numeric((x.item -> 'amount' #>> '{}')) is null then 'payload.cash[].amount: ' || left((x.item -> 'amount')::text, 60) || ' is not a decimal' end end]) as p where p is not null),
      case when not (p -> 'buying_power' is null or jsonb_typeof(p -> 'buying_power') = 'null') and ledger.to_numeric((p -> 'buying_power' #>> '{}')) is null then 'payload.buying_power: ' || left((p -> 'buying_power')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'equity_with_loan' is null or jsonb_typeof(p -> 'equity_with_loan') = 'null') and ledger.to_numeric((p -> 'equity_with_loan' #>> '{}')) is null then 'payload.equity_with_loan: ' || left((p -> 'equity_with_loan')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'maintenance_margin' is null or jsonb_typeof(p -> 'maintenance_margin') = 'null') and ledger.to_numeric((p -> 'maintenance_margin' #>> '{}')) is null then 'payload.maintenance_margin: ' || left((p -> 'maintenance_margin')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'initial_margin' is null or jsonb_typeof(p -> 'initial_margin') = 'null') and ledger.to_numeric((p -> 'initial_margin' #>> '{}')) is null then 'payload.initial_margin: ' || left((p -> 'initial_margin')::text, 60) || ' is not a decimal' end]::text[], null)
    when 'cash_flow' then array_remove(array[
      case when not (p -> 'flow_id' is null or jsonb_typeof(p -> 'flow_id') = 'null') and jsonb_typeof(p -> 'flow_id') not in ('string', 'number') then 'payload.flow_id: ' || left((p -> 'flow_id')::text, 60) || ' is not a string or an integer' end,
      case when (p -> 'kind' is null or jsonb_typeof(p -> 'kind') = 'null') then 'payload.kind: is required' end,
      case when not (p -> 'kind' is null or jsonb_typeof(p -> 'kind') = 'null') and (p -> 'kind' #>> '{}') not in ('deposit', 'withdrawal', 'dividend', 'interest', 'fee', 'tax') then 'payload.kind: ' || left((p -> 'kind')::text, 60) || ' is not one of deposit, withdrawal, dividend, interest, fee, tax' end,
      case when (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') then 'payload.currency: is required' end,
      case when not (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') and jsonb_typeof(p -> 'currency') <> 'string' then 'payload.currency: ' || left((p -> 'currency')::text, 60) || ' is not a string' end,
      case when (p -> 'amount' is null or jsonb_typeof(p -> 'amount') = 'null') then 'payload.amount: is required' end,
      case when not (p -> 'amount' is null or jsonb_typeof(p -> 'amount') = 'null') and ledger.to_numeric((p -> 'amount' #>> '{}')) is null then 'payload.amount: ' || left((p -> 'amount')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'value_date' is null or jsonb_typeof(p -> 'value_date') = 'null') and ledger.to_date((p -> 'value_date' #>> '{}')) is null then 'payload.value_date: ' || left((p -> 'value_date')::text, 60) || ' is not a date (YYYY-MM-DD)' end,
      case when not (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') and jsonb_typeof(p -> 'contract') <> 'object' then 'payload.contract: ' || left((p -> 'contract')::text, 60) || ' is not an object' end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'con_id' is null or jsonb_typeof(p -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((p -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.contract.con_id: ' || left((p -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') then 'payload.contract.symbol: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'symbol') <> 'string' then 'payload.contract.symbol: ' || left((p -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') then 'payload.contract.sec_type: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') and (p -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.contract.sec_type: ' || left((p -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') then 'payload.contract.currency: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') and jsonb_typeof(p -> 'contract' -> 'currency') <> 'string' then 'payload.contract.currency: ' || left((p -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'exchange' is null or jsonb_typeof(p -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'exchange') <> 'string' then 'payload.contract.exchange: ' || left((p -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(p -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.contract.primary_exchange: ' || left((p -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'local_symbol' is null or jsonb_typeof(p -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'local_symbol') <> 'string' then 'payload.contract.local_symbol: ' || left((p -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(p -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(p -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.contract.last_trade_date: ' || left((p -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'strike' is null or jsonb_typeof(p -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((p -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.contract.strike: ' || left((p -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'right' is null or jsonb_typeof(p -> 'contract' -> 'right') = 'null') and (p -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.contract.right: ' || left((p -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'multiplier' is null or jsonb_typeof(p -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((p -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.contract.multiplier: ' || left((p -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end,
      case when not (p -> 'description' is null or jsonb_typeof(p -> 'description') = 'null') and jsonb_typeof(p -> 'description') <> 'string' then 'payload.description: ' || left((p -> 'description')::text, 60) || ' is not a string' end]::text[], null)
    when 'pnl' then array_remove(array[
      case when (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') then 'payload.currency: is required' end,
      case when not (p -> 'currency' is null or jsonb_typeof(p -> 'currency') = 'null') and jsonb_typeof(p -> 'currency') <> 'string' then 'payload.currency: ' || left((p -> 'currency')::text, 60) || ' is not a string' end,
      case when not (p -> 'daily' is null or jsonb_typeof(p -> 'daily') = 'null') and ledger.to_numeric((p -> 'daily' #>> '{}')) is null then 'payload.daily: ' || left((p -> 'daily')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'realized' is null or jsonb_typeof(p -> 'realized') = 'null') and ledger.to_numeric((p -> 'realized' #>> '{}')) is null then 'payload.realized: ' || left((p -> 'realized')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'unrealized' is null or jsonb_typeof(p -> 'unrealized') = 'null') and ledger.to_numeric((p -> 'unrealized' #>> '{}')) is null then 'payload.unrealized: ' || left((p -> 'unrealized')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') and jsonb_typeof(p -> 'contract') <> 'object' then 'payload.contract: ' || left((p -> 'contract')::text, 60) || ' is not an object' end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'con_id' is null or jsonb_typeof(p -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((p -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.contract.con_id: ' || left((p -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') then 'payload.contract.symbol: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'symbol') <> 'string' then 'payload.contract.symbol: ' || left((p -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') then 'payload.contract.sec_type: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') and (p -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.contract.sec_type: ' || left((p -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') then 'payload.contract.currency: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') and jsonb_typeof(p -> 'contract' -> 'currency') <> 'string' then 'payload.contract.currency: ' || left((p -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'exchange' is null or jsonb_typeof(p -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'exchange') <> 'string' then 'payload.contract.exchange: ' || left((p -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(p -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.contract.primary_exchange: ' || left((p -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'local_symbol' is null or jsonb_typeof(p -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'local_symbol') <> 'string' then 'payload.contract.local_symbol: ' || left((p -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(p -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(p -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.contract.last_trade_date: ' || left((p -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'strike' is null or jsonb_typeof(p -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((p -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.contract.strike: ' || left((p -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'right' is null or jsonb_typeof(p -> 'contract' -> 'right') = 'null') and (p -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.contract.right: ' || left((p -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'multiplier' is null or jsonb_typeof(p -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((p -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.contract.multiplier: ' || left((p -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end]::text[], null)
    when 'signal' then array_remove(array[
      case when (p -> 'signal_id' is null or jsonb_typeof(p -> 'signal_id') = 'null') then 'payload.signal_id: is required' end,
      case when not (p -> 'signal_id' is null or jsonb_typeof(p -> 'signal_id') = 'null') and jsonb_typeof(p -> 'signal_id') not in ('string', 'number') then 'payload.signal_id: ' || left((p -> 'signal_id')::text, 60) || ' is not a string or an integer' end,
      case when (p -> 'strategy' is null or jsonb_typeof(p -> 'strategy') = 'null') then 'payload.strategy: is required' end,
      case when not (p -> 'strategy' is null or jsonb_typeof(p -> 'strategy') = 'null') and jsonb_typeof(p -> 'strategy') <> 'string' then 'payload.strategy: ' || left((p -> 'strategy')::text, 60) || ' is not a string' end,
      case when not (p -> 'symbol' is null or jsonb_typeof(p -> 'symbol') = 'null') and jsonb_typeof(p -> 'symbol') <> 'string' then 'payload.symbol: ' || left((p -> 'symbol')::text, 60) || ' is not a string' end,
      case when not (p -> 'contract' is null or jsonb_typeof(p -> 'contract') = 'null') and jsonb_typeof(p -> 'contract') <> 'object' then 'payload.contract: ' || left((p -> 'contract')::text, 60) || ' is not an object' end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'con_id' is null or jsonb_typeof(p -> 'contract' -> 'con_id') = 'null') and ledger.to_bigint((p -> 'contract' -> 'con_id' #>> '{}')) is null then 'payload.contract.con_id: ' || left((p -> 'contract' -> 'con_id')::text, 60) || ' is not a 64-bit integer' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') then 'payload.contract.symbol: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'symbol' is null or jsonb_typeof(p -> 'contract' -> 'symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'symbol') <> 'string' then 'payload.contract.symbol: ' || left((p -> 'contract' -> 'symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') then 'payload.contract.sec_type: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'sec_type' is null or jsonb_typeof(p -> 'contract' -> 'sec_type') = 'null') and (p -> 'contract' -> 'sec_type' #>> '{}') not in ('STK', 'OPT', 'FUT', 'FOP', 'CASH', 'CFD', 'IND', 'BOND', 'WAR', 'FUND', 'CMDTY', 'CRYPTO', 'BAG') then 'payload.contract.sec_type: ' || left((p -> 'contract' -> 'sec_type')::text, 60) || ' is not one of STK, OPT, FUT, FOP, CASH, CFD, IND, BOND, WAR, FUND, CMDTY, CRYPTO, BAG' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') then 'payload.contract.currency: is required' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'currency' is null or jsonb_typeof(p -> 'contract' -> 'currency') = 'null') and jsonb_typeof(p -> 'contract' -> 'currency') <> 'string' then 'payload.contract.currency: ' || left((p -> 'contract' -> 'currency')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'exchange' is null or jsonb_typeof(p -> 'contract' -> 'exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'exchange') <> 'string' then 'payload.contract.exchange: ' || left((p -> 'contract' -> 'exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'primary_exchange' is null or jsonb_typeof(p -> 'contract' -> 'primary_exchange') = 'null') and jsonb_typeof(p -> 'contract' -> 'primary_exchange') <> 'string' then 'payload.contract.primary_exchange: ' || left((p -> 'contract' -> 'primary_exchange')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'local_symbol' is null or jsonb_typeof(p -> 'contract' -> 'local_symbol') = 'null') and jsonb_typeof(p -> 'contract' -> 'local_symbol') <> 'string' then 'payload.contract.local_symbol: ' || left((p -> 'contract' -> 'local_symbol')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'last_trade_date' is null or jsonb_typeof(p -> 'contract' -> 'last_trade_date') = 'null') and jsonb_typeof(p -> 'contract' -> 'last_trade_date') <> 'string' then 'payload.contract.last_trade_date: ' || left((p -> 'contract' -> 'last_trade_date')::text, 60) || ' is not a string' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'strike' is null or jsonb_typeof(p -> 'contract' -> 'strike') = 'null') and ledger.to_numeric((p -> 'contract' -> 'strike' #>> '{}')) is null then 'payload.contract.strike: ' || left((p -> 'contract' -> 'strike')::text, 60) || ' is not a decimal' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'right' is null or jsonb_typeof(p -> 'contract' -> 'right') = 'null') and (p -> 'contract' -> 'right' #>> '{}') not in ('C', 'P') then 'payload.contract.right: ' || left((p -> 'contract' -> 'right')::text, 60) || ' is not one of C, P' end end,
      case when jsonb_typeof(p -> 'contract') = 'object' then case when not (p -> 'contract' -> 'multiplier' is null or jsonb_typeof(p -> 'contract' -> 'multiplier') = 'null') and ledger.to_numeric((p -> 'contract' -> 'multiplier' #>> '{}')) is null then 'payload.contract.multiplier: ' || left((p -> 'contract' -> 'multiplier')::text, 60) || ' is not a decimal' end end,
      case when not (p -> 'direction' is null or jsonb_typeof(p -> 'direction') = 'null') and (p -> 'direction' #>> '{}') not in ('long', 'short', 'flat', 'buy', 'sell', 'hold') then 'payload.direction: ' || left((p -> 'direction')::text, 60) || ' is not one of long, short, flat, buy, sell, hold' end,
      case when not (p -> 'strength' is null or jsonb_typeof(p -> 'strength') = 'null') and ledger.to_numeric((p -> 'strength' #>> '{}')) is null then 'payload.strength: ' || left((p -> 'strength')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'price' is null or jsonb_typeof(p -> 'price') = 'null') and ledger.to_numeric((p -> 'price' #>> '{}')) is null then 'payload.price: ' || left((p -> 'price')::text, 60) || ' is not a decimal' end,
      case when not (p -> 'features' is null or jsonb_typeof(p -> 'features') = 'null') and jsonb_typeof(p -> 'features') <> 'object' then 'payload.features: ' || left((p -> 'features')::text, 60) || ' is not an object' end]::text[], null)
    when 'config_change' then array_remove(array[
      case when (p -> 'key' is null or jsonb_typeof(p -> 'key') = 'null') then 'payload.key: is required' end,
      case when not (p -> 'key' is null or jsonb_typeof(p -> 'key') = 'null') and jsonb_typeof(p -> 'key') <> 'string' then 'payload.key: ' || left((p -> 'key')::text, 60) || ' is not a string' end,
      case when (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') then 'payload.reason: is required' end,
      case when not (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') and jsonb_typeof(p -> 'reason') <> 'string' then 'payload.reason: ' || left((p -> 'reason')::text, 60) || ' is not a string' end]::text[], null)
    when 'user_action' then array_remove(array[
      case when (p -> 'action' is null or jsonb_typeof(p -> 'action') = 'null') then 'payload.action: is required' end,
      case when not (p -> 'action' is null or jsonb_typeof(p -> 'action') = 'null') and jsonb_typeof(p -> 'action') <> 'string' then 'payload.action: ' || left((p -> 'action')::text, 60) || ' is not a string' end,
      case when not (p -> 'target' is null or jsonb_typeof(p -> 'target') = 'null') and jsonb_typeof(p -> 'target') <> 'string' then 'payload.target: ' || left((p -> 'target')::text, 60) || ' is not a string' end,
      case when not (p -> 'reason' is null or jsonb_typeof(p -> 'reason') = 'null') and jsonb_typeof(p -> 'reason') <> 'string' then 'payload.reason: ' || left((p -> 'reason')::text, 60) || ' is not a string' end,
      case when not (p -> 'details' is null or jsonb_typeof(p -> 'details') = 'null') and jsonb_typeof(p -> 'details') <> 'object' then 'payload.details: ' || left((p -> 'details')::text, 60) || ' is not an object' end]::text[], null)
    when 'connection' then array_remove(array[
      case when (p -> 'peer' is null or jsonb_typeof(p -> 'peer') = 'null') then 'payload.peer: is required' end,
      case when not (p -> 'peer' is null or jsonb_typeof(p -> 'peer') = 'null') and jsonb_typeof(p -> 'peer') <> 'string' then 'payload.peer: ' || left((p -> 'peer')::text, 60) || ' is not a string' end,
      case when (p -> 'state' is null or jsonb_typeof(p -> 'state') = 'null') then 'payload.state: is required' end,
      case when not (p -> 'state' is null or jsonb_typeof(p -> 'state') = 'null') and (p -> 'state' #>> '{}') not in ('connecting', 'connected', 'disconnected', 'reconnecting', 'degraded', 'failed') then 'payload.state: ' || left((p -> 'state')::text, 60) || ' is not one of connecting, connected, disconnected, reconnecting, degraded, failed' end,
      case when not (p -> 'detail' is null or jsonb_typeof(p -> 'detail') = 'null') and jsonb_typeof(p -> 'detail') <> 'string' then 'payload.detail: ' || left((p -> 'detail')::text, 60) || ' is not a string' end,
      case when not (p -> 'code' is null or jsonb_typeof(p -> 'code') = 'null') and ledger.to_bigint((p -> 'code' #>> '{}')) is null then 'payload.code: ' || left((p -> 'code')::text, 60) || ' is not a 64-bit integer' end]::text[], null)
    when 'system' then array_remove(array[
      case when (p -> 'event' is null or jsonb_typeof(p -> 'event') = 'null') then 'payload.event: is required' end,
      case when not (p -> 'event' is null or jsonb_typeof(p -> 'event') = 'null') and jsonb_typeof(p -> 'event') <> 'string' then 'payload.event: ' || left((p -> 'event')::text, 60) || ' is not a string' end,
      case when not (p -> 'version' is null or jsonb_typeof(p -> 'version') = 'null') and jsonb_typeof(p -> 'version') <> 'string' then 'payload.version: ' || left((p -> 'version')::text, 60) || ' is not a string' end,
      case when not (p -> 'message' is null or jsonb_typeof(p -> 'message') = 'null') and jsonb_typeof(p -> 'message') <> 'string' then 'payload.message: ' || left((p -> 'message')::text, 60) || ' is not a string' end,
      case when not (p -> 'details' is null or jsonb_typeof(p -> 'details') = 'null') and jsonb_typeof(p -> 'details') <> 'object' then 'payload.details: ' || left((p -> 'details')::text, 60) || ' is not an object' end]::text[], null)
    else array[]::text[] end
$$;
comment on function ledger.event_problems(text, jsonb) is 'What is wrong with a payload of one of the bot''s event types, one text per problem naming the field; empty when nothing is.';

create or replace view ledger.invalid_events as
select e.seq, e.stream, e.stream_seq, e.recorded_at, e.occurred_at, e.source, e.event_type, e.account, e.idempotency_key, r.problems
  from ledger.events e
  cross join lateral (select ledger.event_problems(e.event_type, e.payload) as problems) r
 where e.event_type in ('order_submitted', 'order_status', 'order_cancel_requested', 'order_modified', 'execution', 'commission', 'position_snapshot', 'account_snapshot', 'cash_flow', 'pnl', 'signal', 'config_change', 'user_action', 'connection', 'system')
   and cardinality(r.problems) > 0;
comment on view ledger.invalid_events is 'Events of the bot''s vocabulary whose payload does not follow it (stored before validation covered every way in); the typed views show their unreadable values as NULL.';
comment on column ledger.invalid_events.problems is 'Every problem found, each naming its field (payload.quantity: "lots" is not a decimal)';
comment on column ledger.invalid_events.seq is 'Global position in the journal (ledger.events.seq)';
comment on column ledger.invalid_events.stream is 'Chain the event belongs to';
comment on column ledger.invalid_events.stream_seq is 'Position in its stream';
comment on column ledger.invalid_events.recorded_at is 'When the ledger recorded it';
comment on column ledger.invalid_events.occurred_at is 'When it happened, by the reporter''s clock';
comment on column ledger.invalid_events.source is 'Who reported it';
comment on column ledger.invalid_events.event_type is 'Its event type';
comment on column ledger.invalid_events.account is 'Broker account';
comment on column ledger.invalid_events.idempotency_key is 'Idempotency key it arrived with';
