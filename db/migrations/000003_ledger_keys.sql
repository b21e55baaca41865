-- Indexes on the keys reconciliation joins on: IB exec id, the bot's order id and IB's
-- orderRef, contract id, and account by time for snapshots. All partial: each append pays
-- only for the keys its event type has (an index on every row cost the append path about
-- a third of its speed).

create index events_exec_id_idx on ledger.events ((payload ->> 'exec_id'))
  where event_type = 'execution';
create index events_client_order_idx on ledger.events (account, (payload ->> 'client_order_id'))
  where event_type in ('order_submitted', 'order_status', 'order_cancel_requested', 'order_modified', 'execution');
create index events_order_ref_idx on ledger.events ((payload ->> 'order_ref'))
  where event_type in ('order_submitted', 'execution') and payload ? 'order_ref';
create index events_con_id_idx on ledger.events (((payload -> 'contract' ->> 'con_id')::bigint))
  where event_type in ('order_submitted', 'execution', 'pnl', 'signal') and payload -> 'contract' ? 'con_id';
create index events_account_time_idx on ledger.events (account, event_type, occurred_at)
  where event_type in ('position_snapshot', 'account_snapshot', 'pnl');
