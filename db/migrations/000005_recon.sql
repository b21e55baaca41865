-- Reconciliation: the settings it runs by. Runs, breaks, reviews and corrections are not
-- tables: they are events in the ledger (stream 'recon'), read through views in recon.*,
-- so every step of a break's life is hash-chained like everything else.

create schema if not exists recon;
comment on schema recon is 'Reconciliation of the bot''s records against the broker''s: functions, tolerances, settings, and views of runs and breaks (which live in the ledger).';

-- |bot − broker| ≤ abs_tol + rel_tol·|broker|, per compared field and asset class (IB
-- sec_type; '*' is the fallback). Quantities use abs_tol as the instrument's precision.
create table recon.tolerances (
  field       text        not null check (field ~ '^[a-z_]+\.[a-z_]+$'),
  asset_class text        not null default '*' check (asset_class ~ '^(\*|[A-Z]+)$'),
  abs_tol     numeric     not null check (abs_tol >= 0),
  rel_tol     numeric     not null check (rel_tol >= 0),
  updated_at  timestamptz not null default now(),
  updated_by  text        not null default session_user,
  primary key (field, asset_class)
);
comment on table recon.tolerances is 'How far the bot''s value may be from the broker''s and still match: |bot − broker| ≤ abs_tol + rel_tol·|broker|. Change with recon.set_tolerance(), which records a config_change event.';

insert into recon.tolerances (field, asset_class, abs_tol, rel_tol) values
  ('execution.quantity', '*', 0, 0),
  ('execution.quantity', 'CRYPTO', 0.00000001, 0),
  ('execution.price', '*', 0, 0.0001),
  ('execution.commission', '*', 0.01, 0),
  ('position.quantity', '*', 0, 0),
  ('position.quantity', 'CASH', 0.01, 0),
  ('position.quantity', 'CRYPTO', 0.00000001, 0),
  ('position.avg_cost', '*', 0.0001, 0.0001),
  ('cash.amount', '*', 0.01, 0),
  ('account.net_liquidation', '*', 1, 0.001),
  ('pnl.daily', '*', 1, 0.01),
  ('pnl.realized', '*', 1, 0.01),
  ('pnl.unrealized', '*', 1, 0.01);

-- Numbers the functions run by. Durations in seconds, amounts in the account's base currency.
create table recon.settings (
  key        text        primary key check (key ~ '^[a-z_]+$'),
  value      numeric     not null,
  doc        text        not null,
  updated_at timestamptz not null default now(),
  updated_by text        not null default session_user
);
comment on table recon.settings is 'Windows, thresholds and severities reconciliation runs by. Change with recon.set_setting(), which records a config_change event.';

insert into recon.settings (key, value, doc) values
  ('fill_window_s', 120, 'A fill recorded by one side within this many seconds before the run is not yet a break: the other side may still be on its way.'),
  ('commission_wait_s', 600, 'A commission report missing for a fill younger than this is not a break.'),
  ('order_ack_timeout_s', 60, 'An order the bot submitted that IB has not acknowledged after this long is a break.'),
  ('match_window_s', 300, 'Fills matched by order reference, quantity and price must be this close in time.'),
  ('severity_critical_amount', 100000, 'A break at least this large (base currency) is critical.'),
  ('severity_high_amount', 10000, 'At least this large: high.'),
  ('severity_medium_amount', 1000, 'At least this large: medium.'),
  ('severity_critical_age_s', 432000, 'A break open this long (5 days) is critical.'),
  ('severity_high_age_s', 259200, 'Open this long (3 days): high.'),
  ('severity_medium_age_s', 86400, 'Open this long (1 day): medium.'),
  ('max_run_age_s', 5400, 'Trading status is halt when the account''s last reconciliation is older than this.'),
  ('relay_required', 1, '1: trading status is halt while the IB relay is disconnected; 0: ignore the relay.'),
  ('positions_required', 1, '1: trading status is halt when the last full reconciliation could not compare positions (no complete IB snapshot, or no bot position_snapshot); 0: for a bot that does not report positions.');

-- One result of comparing one thing (a fill, a position, a currency, an order).
create type recon.finding as (
  entity     text,     -- execution, position, cash, account, pnl, order
  key        text,     -- the thing compared: execId, conId, currency, permId, ...
  category   text,     -- what was found, e.g. execution.missing_in_bot
  outcome    text,     -- matched, within_tolerance, corrected, pending, discrepancy
  amount     numeric,  -- money at stake (base currency), for severity
  detail     jsonb,    -- {fields: [{field, broker, bot, fills, difference}], ...}
  correction jsonb     -- the event a correction appends, or null
);

-- Runs, breaks, reviews and the relay's connection state are read by account and time.
create index events_recon_idx on ledger.events (event_type, account, recorded_at)
  where event_type in ('recon_run', 'recon_break', 'recon_break_review') or (event_type = 'connection' and source = 'ib');
create index events_recon_break_idx on ledger.events (entity_id, seq)
  where event_type in ('recon_break', 'recon_break_review');
-- Fills by account and execution time (the fills since a positions snapshot), and IB's
-- positions by instrument and by snapshot.
create index events_fill_time_idx on ledger.events (account, event_type, occurred_at)
  where event_type in ('execution', 'ib_execution');
create index events_ib_position_idx on ledger.events (entity_id, (payload ->> 'snapshot_id'))
  where event_type = 'ib_position';
create index events_ib_snapshot_idx on ledger.events ((payload ->> 'snapshot_id'), account)
  where event_type = 'ib_position';
create index events_commission_idx on ledger.events ((payload ->> 'exec_id'))
  where event_type = 'commission';
create index events_snapshot_end_idx on ledger.events (entity_id, recorded_at)
  where event_type = 'ib_snapshot_end';
-- IB's account state (P&L, account values) by account, newest first.
create index events_ib_account_idx on ledger.events (account, event_type, seq)
  where event_type in ('ib_pnl', 'ib_account_value', 'ib_account_summary');
