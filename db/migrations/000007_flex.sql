-- IB Flex statements: how far back three-way reconciliation looks, and an index for the
-- statement rows (read by account and type; the views dedupe by entity).

insert into recon.settings (key, value, doc) values
  ('statement_days', 10, 'Three-way reconciliation compares statement and live fills of the days this many days before the latest statement''s end (and positions and cash at that end).');

create index events_flex_idx on ledger.events (event_type, account, entity_id) where source = 'flex';
