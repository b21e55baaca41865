-- IB Flex statements: how far back three-way reconciliation looks, and an index for the
-- statement rows (every flex view and reconciliation reads them by type, account and time).

insert into recon.settings (key, value, doc) values
  ('statement_days', 10, 'Three-way reconciliation compares statement and live fills of the days this many days before the latest statement''s end (and positions and cash at that end).');

create index events_flex_idx on ledger.events (event_type, account, occurred_at) where source = 'flex';
