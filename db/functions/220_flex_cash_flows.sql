-- Cash flows from both sources, for performance reporting (time-weighted returns neutralise
-- deposits and withdrawals): IB's statement where one covers the day, the bot's cash_flow
-- events elsewhere. A day an Activity statement covers for the account takes the
-- statement's rows only, whatever the bot said (the statement is the book of record; the
-- bot's own rows of that day stay in ledger.cash_flows); a day no statement covers takes
-- the bot's, but for a flow a statement holds anyway (same day, kind, currency, amount).
-- Only statements whose query has the CashTransactions section cover a day.

create or replace view ledger.account_cash_flows as
with covered as (
  select distinct s.account, d::date as day
    from ledger.flex_statements s
   cross join lateral generate_series(s.from_date, least(s.to_date, s.from_date + 400), interval '1 day') d
   where s.type = 'AF' and s.from_date is not null and s.to_date is not null and (s.sections is null or 'CashTransactions' = any(s.sections))
),
st as (select * from ledger.flex_cash_transactions t where t.date is not null)
select 'statement'::text as source, t.account, t.date, t.time, t.kind, t.currency, t.amount, t.fx_rate_to_base, t.amount_base,
       t.transaction_id as reference, t.type as broker_type, t.description, t.con_id, t.symbol, t.seq
  from st t
union all
select 'bot', b.account, coalesce(b.value_date, (b.occurred_at at time zone 'America/New_York')::date), b.occurred_at, b.kind, b.currency, b.amount,
       null::numeric, null::numeric, b.flow_id, null::text, b.description, b.con_id, b.symbol, b.seq
  from ledger.cash_flows b
 where b.kind is not null and b.amount is not null
   and not exists (select 1 from covered c where c.account = b.account and c.day = coalesce(b.value_date, (b.occurred_at at time zone 'America/New_York')::date))
   -- nor one a statement holds on a day it does not cover (a row dated before its period)
   and not exists (select 1 from st t where t.account = b.account and t.kind = b.kind and t.currency = b.currency and t.amount = b.amount
                      and t.date = coalesce(b.value_date, (b.occurred_at at time zone 'America/New_York')::date));
comment on view ledger.account_cash_flows is 'Deposits, withdrawals, dividends, interest, fees and taxes per account and day, from IB''s Activity statements where one covers the day, else from the bot''s cash_flow events. Amounts signed as the account sees them.';
comment on column ledger.account_cash_flows.source is 'statement (IB Flex CashTransactions) or bot (cash_flow events)';
comment on column ledger.account_cash_flows.account is 'IB account';
comment on column ledger.account_cash_flows.date is 'The New York date the flow counts for (statement: its dateTime, else reportDate; bot: value_date, else occurred_at)';
comment on column ledger.account_cash_flows.time is 'When it happened, where known';
comment on column ledger.account_cash_flows.kind is 'deposit, withdrawal, dividend, interest, fee, tax (statement rows IB types otherwise: other)';
comment on column ledger.account_cash_flows.currency is 'Currency of amount';
comment on column ledger.account_cash_flows.amount is 'Signed for the account: positive in, negative out';
comment on column ledger.account_cash_flows.fx_rate_to_base is 'Statement rows: IB''s rate to the base currency';
comment on column ledger.account_cash_flows.amount_base is 'Statement rows: amount in the base currency';
comment on column ledger.account_cash_flows.reference is 'IB transactionID, or the bot''s flow_id';
comment on column ledger.account_cash_flows.broker_type is 'Statement rows: IB''s type as written';
comment on column ledger.account_cash_flows.description is 'Description';
comment on column ledger.account_cash_flows.con_id is 'Instrument (dividends, withholding)';
comment on column ledger.account_cash_flows.symbol is 'Symbol';
comment on column ledger.account_cash_flows.seq is 'Ledger seq of the event';
