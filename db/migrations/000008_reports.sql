-- Reports: every report is a view (or, later, a materialized view) in this schema over the
-- ledger. BI tools read it through blotter_bi, which may read this schema and nothing else.

create schema if not exists reports;
comment on schema reports is 'Reports over the ledger for people and BI tools: round trips, daily summaries, ... Read by blotter_bi (this schema only), blotter_reviewer and blotter_auditor.';

-- Settings the reports compute by (one row per key). Change with an UPDATE as owner; the
-- performance reports read them when they run.
create table reports.settings (
  key   text    primary key check (key ~ '^[a-z_]+$'),
  value numeric not null,
  doc   text    not null
);
comment on table reports.settings is 'Settings the reports compute by, e.g. the annual risk-free rate for Sharpe and Sortino.';
insert into reports.settings (key, value, doc) values
  ('risk_free_rate', 0, 'Annual risk-free rate (0.05 = 5 %), converted per day as (1 + rf)^(1/252) - 1 for Sharpe (quantstats).'),
  ('trading_days', 252, 'Trading days a year: annualisation of volatility, Sharpe, Sortino and CAGR.');
