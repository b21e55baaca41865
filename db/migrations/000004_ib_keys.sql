-- The IB relay's executions and commission reports are joined by execId (entity_id).
create index events_ib_entity_idx on ledger.events (event_type, entity_id)
  where event_type in ('ib_execution', 'ib_commission', 'ib_order_status', 'ib_open_order', 'ib_completed_order');
