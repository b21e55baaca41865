-- Reports: every report is a view (or, later, a materialized view) in this schema over the
-- ledger. BI tools read it through blotter_bi, which may read this schema and nothing else.

create schema if not exists reports;
comment on schema reports is 'Reports over the ledger for people and BI tools: round trips, daily summaries, ... Read by blotter_bi (this schema only), blotter_reviewer and blotter_auditor.';
