-- IB Flex statements as typed views. The importer (agent/flex/import.ts) records each fact
-- row as an event of source flex on stream flex:<account>: payload.raw holds every attribute
-- IB wrote that was not empty, exactly; payload.dates the dates and times read with the
-- file's own format (instants in UTC, New York wall clock converted; dates as YYYY-MM-DD).
-- Numbers are cast here: IB's missing markers ('', '-', '--', 'N/A') and anything else that
-- is not a number read as NULL, never an error; old statements' thousands separators are
-- dropped.

create or replace function ledger.flex_num(p text) returns numeric
language sql immutable parallel safe as $$
  select ledger.to_numeric(case when strpos(p, ',') > 0 and p ~ '^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$' then replace(p, ',', '') else p end)
$$;
comment on function ledger.flex_num(text) is 'A Flex number as numeric: NULL for IB''s missing markers and anything that is not a number; thousands separators dropped.';

-- A payload.dates value (instant or date) as the New York calendar date it falls on; NULL
-- for anything else, a well-formed impossible date (2026-02-30) included: a view never fails.
create or replace function ledger.flex_date(p text) returns date
language sql stable parallel safe as $$
  select case when length(p) = 10 then ledger.to_date(p) else (ledger.to_timestamptz(p) at time zone 'America/New_York')::date end
$$;
comment on function ledger.flex_date(text) is 'A Flex date or instant (as the importer stores them) as its New York calendar date; NULL otherwise (never an error).';

create or replace function ledger.flex_time(p text) returns timestamptz
language sql stable parallel safe as $$
  select ledger.to_timestamptz(p)
$$;
comment on function ledger.flex_time(text) is 'A Flex instant (as the importer stores them) as timestamptz; NULL for a date without time and anything else (never an error).';

-- IB writes 0 for "no original" in the orig* id attributes.
create or replace function ledger.flex_id(p text) returns text
language sql immutable parallel safe as $$
  select case when p is null or p in ('', '0', '-', '--', 'N/A') then null else p end
$$;
comment on function ledger.flex_id(text) is 'A Flex id attribute, NULL for IB''s "none" values (empty, 0, -, N/A).';

-- Every trade row of every statement, read (the as-of readers, such as reconciliation,
-- build on this: flex_trades below picks and links as of now).
create or replace view ledger.flex_trade_rows as
select e.seq, e.recorded_at, e.occurred_at, e.account,
       case when e.payload ->> 'section' = 'TradeConfirms' then 'TCF' else 'AF' end as statement_type,
       e.payload ->> 'exec_id' as exec_id,
       ledger.flex_id(r ->> 'transactionID') as transaction_id,
       ledger.flex_id(r ->> 'tradeID') as trade_id,
       ledger.flex_id(coalesce(r ->> 'ibOrderID', r ->> 'orderID')) as order_id,
       ledger.flex_id(r ->> 'brokerageOrderID') as brokerage_order_id,
       ledger.flex_id(r ->> 'orderReference') as order_ref,
       ledger.to_bigint(r ->> 'conid') as con_id,
       r ->> 'symbol' as symbol, r ->> 'description' as description, r ->> 'assetCategory' as sec_type,
       r ->> 'currency' as currency, ledger.flex_num(r ->> 'fxRateToBase') as fx_rate_to_base,
       ledger.flex_num(r ->> 'multiplier') as multiplier,
       e.payload ->> 'side' as side,
       ledger.flex_num(r ->> 'quantity') as quantity,
       ledger.flex_num(coalesce(r ->> 'tradePrice', r ->> 'price')) as price,
       -- TCF calls it amount
       ledger.flex_num(coalesce(r ->> 'tradeMoney', r ->> 'amount')) as trade_money,
       ledger.flex_num(r ->> 'proceeds') as proceeds,
       -ledger.flex_num(coalesce(r ->> 'ibCommission', r ->> 'commission')) as commission,
       coalesce(r ->> 'ibCommissionCurrency', r ->> 'commissionCurrency') as commission_currency,
       ledger.flex_num(coalesce(r ->> 'taxes', r ->> 'tax')) as taxes,
       ledger.flex_num(r ->> 'netCash') as net_cash,
       ledger.flex_num(r ->> 'cost') as cost,
       ledger.flex_num(r ->> 'fifoPnlRealized') as fifo_pnl_realized,
       ledger.flex_num(r ->> 'mtmPnl') as mtm_pnl,
       ledger.flex_num(r ->> 'closePrice') as close_price,
       coalesce(ledger.flex_time(d ->> 'dateTime'), e.occurred_at) as trade_time,
       coalesce(ledger.flex_date(d ->> 'tradeDate'), ledger.flex_date(d ->> 'dateTime')) as trade_date,
       coalesce(ledger.flex_date(d ->> 'settleDateTarget'), ledger.flex_date(d ->> 'settleDate')) as settle_date,
       ledger.flex_date(d ->> 'reportDate') as report_date,
       ledger.flex_time(d ->> 'orderTime') as order_time,
       r ->> 'transactionType' as transaction_type,
       nullif(nullif(r ->> 'openCloseIndicator', '-'), '') as open_close,
       case when jsonb_typeof(e.payload -> 'codes') = 'array' then array(select jsonb_array_elements_text(e.payload -> 'codes')) else '{}'::text[] end as codes,
       r ->> 'exchange' as exchange, r ->> 'orderType' as order_type,
       case r ->> 'isAPIOrder' when 'Y' then true when 'N' then false end as is_api_order,
       coalesce(ledger.to_boolean(e.payload ->> 'cancel'), false) as cancel,
       coalesce(ledger.to_boolean(e.payload ->> 'correct'), false) as correct,
       ledger.flex_id(r ->> 'origTradeID') as orig_trade_id,
       ledger.flex_id(r ->> 'origTransactionID') as orig_transaction_id,
       r ->> 'levelOfDetail' as level_of_detail,
       e.payload
  from ledger.events e
 cross join lateral (select e.payload -> 'raw' as r, e.payload -> 'dates' as d) x
 where e.source = 'flex' and e.event_type = 'flex_trade';
comment on view ledger.flex_trade_rows is 'Every trade row of every imported statement (Trade rows of levelOfDetail EXECUTION, TradeConfirm rows), as recorded: a fill in both a Trade Confirmation and an Activity statement is two rows here; flex_trades picks and links them.';
comment on column ledger.flex_trade_rows.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_trade_rows.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_trade_rows.occurred_at is 'The event''s time: the fill''s (dateTime), else its date''s New York midnight';
comment on column ledger.flex_trade_rows.account is 'IB account (accountId)';
comment on column ledger.flex_trade_rows.statement_type is 'AF (Activity statement, the book of record) or TCF (Trade Confirmation, same day)';
comment on column ledger.flex_trade_rows.exec_id is 'IB execution id (ibExecID, TCF execID): the API execId, the join key to live fills; usually NULL on cancellation rows';
comment on column ledger.flex_trade_rows.transaction_id is 'IB transactionID, unique per statement row';
comment on column ledger.flex_trade_rows.trade_id is 'IB tradeID';
comment on column ledger.flex_trade_rows.order_id is 'IB order id (ibOrderID, TCF orderID), shared by an order''s fills; not the API permId';
comment on column ledger.flex_trade_rows.brokerage_order_id is 'IB brokerageOrderID';
comment on column ledger.flex_trade_rows.order_ref is 'orderReference: the API orderRef the bot set (often empty)';
comment on column ledger.flex_trade_rows.con_id is 'IB contract id (conid)';
comment on column ledger.flex_trade_rows.symbol is 'Symbol';
comment on column ledger.flex_trade_rows.description is 'Instrument description';
comment on column ledger.flex_trade_rows.sec_type is 'assetCategory: STK, OPT, FUT, FOP, CASH, BOND, ...';
comment on column ledger.flex_trade_rows.currency is 'Trade currency';
comment on column ledger.flex_trade_rows.fx_rate_to_base is 'fxRateToBase: amount x rate = base currency';
comment on column ledger.flex_trade_rows.multiplier is 'Contract multiplier';
comment on column ledger.flex_trade_rows.side is 'BUY or SELL (a cancellation keeps the side it cancels)';
comment on column ledger.flex_trade_rows.quantity is 'Signed as IB writes it: positive buy, negative sell; a cancellation negates the original';
comment on column ledger.flex_trade_rows.price is 'Trade price (tradePrice, TCF price)';
comment on column ledger.flex_trade_rows.trade_money is 'quantity x price x multiplier (tradeMoney, TCF amount)';
comment on column ledger.flex_trade_rows.proceeds is '-trade_money: negative for buys';
comment on column ledger.flex_trade_rows.commission is 'Commission as a positive charge (IB''s ibCommission negated: IB writes charges negative); a rebate is negative';
comment on column ledger.flex_trade_rows.commission_currency is 'Currency of the commission (can differ from the trade''s)';
comment on column ledger.flex_trade_rows.taxes is 'Transaction taxes';
comment on column ledger.flex_trade_rows.net_cash is 'proceeds + ibCommission + taxes when the commission is in the trade currency';
comment on column ledger.flex_trade_rows.cost is 'Cost basis IB assigns (opening buy positive)';
comment on column ledger.flex_trade_rows.fifo_pnl_realized is 'Realized P&L, FIFO, net of commissions';
comment on column ledger.flex_trade_rows.mtm_pnl is 'Mark-to-market P&L against closePrice (commissions not included)';
comment on column ledger.flex_trade_rows.close_price is 'Closing price of the trade date';
comment on column ledger.flex_trade_rows.trade_time is 'When the fill happened (dateTime, New York wall clock converted to an instant); the trade date''s New York midnight when IB gave no time';
comment on column ledger.flex_trade_rows.trade_date is 'Trade date';
comment on column ledger.flex_trade_rows.settle_date is 'Settlement date (settleDateTarget, TCF settleDate)';
comment on column ledger.flex_trade_rows.report_date is 'Date IB booked the row (later than trade_date for cancellations and corrections)';
comment on column ledger.flex_trade_rows.order_time is 'When the order was placed';
comment on column ledger.flex_trade_rows.transaction_type is 'ExchTrade, BookTrade, TradeCancel, TradeCorrect, FracShare, ...';
comment on column ledger.flex_trade_rows.open_close is 'O opening, C closing, C;O closing and reopening';
comment on column ledger.flex_trade_rows.codes is 'IB notes/codes split at ; (case-sensitive: Ca cancelled, Co corrected, P partial, O/C, A assignment, Ex exercise, Ep expired, ...)';
comment on column ledger.flex_trade_rows.exchange is 'Execution venue';
comment on column ledger.flex_trade_rows.order_type is 'Order type (LMT, MKT, ...)';
comment on column ledger.flex_trade_rows.is_api_order is 'isAPIOrder Y/N';
comment on column ledger.flex_trade_rows.cancel is 'true for a cancellation row (buySell "(Ca.)", TradeCancel or code Ca)';
comment on column ledger.flex_trade_rows.correct is 'true for a correction row (TradeCorrect or code Co): it stands, and replaces the row it names';
comment on column ledger.flex_trade_rows.orig_trade_id is 'origTradeID: the trade a cancellation or correction refers to';
comment on column ledger.flex_trade_rows.orig_transaction_id is 'origTransactionID: the row a cancellation or correction refers to';
comment on column ledger.flex_trade_rows.level_of_detail is 'EXECUTION (TCF rows may leave it out)';
comment on column ledger.flex_trade_rows.payload is 'The event payload: raw (every non-empty attribute as IB wrote it), dates (as read), section, element';

-- Statements' trades: one row per fill (and per cancellation row). An execution reported by
-- both a Trade Confirmation (same day) and an Activity statement (the book of record) shows
-- once, from the Activity statement; a row a later cancellation or correction replaces
-- names it.
create or replace view ledger.flex_trades as
with r as (
  select x.* from ledger.flex_trade_rows x
   where x.statement_type = 'AF' or x.exec_id is null
      or not exists (select 1 from ledger.flex_trade_rows a where a.account = x.account and a.exec_id = x.exec_id and a.statement_type = 'AF')
),
-- the rows that replace others, by what they point at (hash joins: a lookup per fill was
-- quadratic)
k as (select * from r where r.cancel or r.correct),
k_txn as (select distinct on (account, orig_transaction_id) * from k where orig_transaction_id is not null order by account, orig_transaction_id, seq),
k_trade as (select distinct on (account, orig_trade_id) * from k where orig_trade_id is not null order by account, orig_trade_id, seq),
-- a cancellation that names no original but carries the original's execution id
k_exec as (select distinct on (account, exec_id) * from k where cancel and exec_id is not null and orig_transaction_id is null and orig_trade_id is null
            order by account, exec_id, seq)
select r.*,
       case when r.cancel then r.orig_transaction_id end as cancels_transaction_id,
       case when not r.cancel then coalesce(c1.transaction_id, c2.transaction_id, c3.transaction_id) end as cancelled_by_transaction_id,
       case when not r.cancel then coalesce(c1.recorded_at, c2.recorded_at, c3.recorded_at) end as cancelled_at
  from r
  left join k_txn c1 on c1.account = r.account and c1.orig_transaction_id = r.transaction_id and c1.seq <> r.seq
  left join k_trade c2 on c2.account = r.account and c2.orig_trade_id = r.trade_id and c2.seq <> r.seq
  left join k_exec c3 on c3.account = r.account and c3.exec_id = r.exec_id and c3.seq <> r.seq;
comment on view ledger.flex_trades is 'Fills from IB Flex statements, one row per execution and per cancellation; an execution in both a Trade Confirmation and an Activity statement shows once, from the Activity statement. Roll-ups (Order, SymbolSummary, AssetSummary) are not recorded. Cancelled and corrected rows name what replaced them.';
comment on column ledger.flex_trades.cancels_transaction_id is 'On a cancellation: the transactionID of the row it cancels';
comment on column ledger.flex_trades.cancelled_by_transaction_id is 'On a fill IB later cancelled or corrected: the transactionID of the cancellation or correction row';
comment on column ledger.flex_trades.cancelled_at is 'On a fill IB later cancelled or corrected: when blotter imported that row';

-- Fills that count: executions nobody cancelled or corrected (the cancellation rows and
-- what they replace left out).
create or replace view ledger.flex_fills as
select * from ledger.flex_trades where not cancel and cancelled_by_transaction_id is null and exec_id is not null;
comment on view ledger.flex_fills is 'Statement fills that stand: flex_trades without cancellation rows and without the rows cancellations or corrections replace.';
-- the same columns, the same words
do $$
declare c record;
begin
  for c in select v.relname as view, a.attname, d.description
             from pg_catalog.pg_attribute a join pg_catalog.pg_description d on d.objoid = a.attrelid and d.objsubid = a.attnum
            cross join (values ('flex_trades'), ('flex_fills')) v(relname)
            where a.attrelid = 'ledger.flex_trade_rows'::regclass and a.attnum > 0 loop
    execute format('comment on column ledger.%I.%I is %L', c.view, c.attname, c.description);
  end loop;
  for c in select a.attname, d.description from pg_catalog.pg_attribute a join pg_catalog.pg_description d on d.objoid = a.attrelid and d.objsubid = a.attnum
            where a.attrelid = 'ledger.flex_trades'::regclass and a.attnum > 0 and a.attname in ('cancels_transaction_id', 'cancelled_by_transaction_id', 'cancelled_at') loop
    execute format('comment on column ledger.flex_fills.%I is %L', c.attname, c.description);
  end loop;
end
$$;

create or replace view ledger.flex_positions as
select e.seq, e.recorded_at, e.account,
       ledger.flex_date(e.payload -> 'dates' ->> 'reportDate') as report_date,
       ledger.to_bigint(r ->> 'conid') as con_id, r ->> 'symbol' as symbol, r ->> 'assetCategory' as sec_type,
       r ->> 'currency' as currency, ledger.flex_num(r ->> 'fxRateToBase') as fx_rate_to_base, ledger.flex_num(r ->> 'multiplier') as multiplier,
       ledger.flex_num(r ->> 'position') as quantity, ledger.flex_num(r ->> 'markPrice') as mark_price,
       ledger.flex_num(r ->> 'positionValue') as position_value, ledger.flex_num(r ->> 'openPrice') as open_price,
       ledger.flex_num(r ->> 'costBasisPrice') as cost_basis_price, ledger.flex_num(r ->> 'costBasisMoney') as cost_basis_money,
       ledger.flex_num(r ->> 'fifoPnlUnrealized') as fifo_pnl_unrealized, r ->> 'side' as side,
       ledger.flex_num(r ->> 'percentOfNAV') as percent_of_nav, e.payload
  from ledger.events e cross join lateral (select e.payload -> 'raw' as r) x
 where e.source = 'flex' and e.event_type = 'flex_position';
comment on view ledger.flex_positions is 'Open positions from Activity statements (OpenPositions, the SUMMARY level: lot rows are in flex_position_lots), one row per account, report date and instrument. A closed position has no row (IB writes no zero rows).';
comment on column ledger.flex_positions.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_positions.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_positions.account is 'IB account';
comment on column ledger.flex_positions.report_date is 'The date the position is as of (at the close)';
comment on column ledger.flex_positions.con_id is 'IB contract id';
comment on column ledger.flex_positions.symbol is 'Symbol';
comment on column ledger.flex_positions.sec_type is 'assetCategory';
comment on column ledger.flex_positions.currency is 'Position currency';
comment on column ledger.flex_positions.fx_rate_to_base is 'fxRateToBase';
comment on column ledger.flex_positions.multiplier is 'Contract multiplier';
comment on column ledger.flex_positions.quantity is 'Position, signed (negative short)';
comment on column ledger.flex_positions.mark_price is 'Closing mark';
comment on column ledger.flex_positions.position_value is 'quantity x mark x multiplier';
comment on column ledger.flex_positions.open_price is 'Average open price';
comment on column ledger.flex_positions.cost_basis_price is 'Cost basis per unit';
comment on column ledger.flex_positions.cost_basis_money is 'Cost basis';
comment on column ledger.flex_positions.fifo_pnl_unrealized is 'Unrealized P&L, FIFO';
comment on column ledger.flex_positions.side is 'Long or Short';
comment on column ledger.flex_positions.percent_of_nav is 'Share of NAV, percent';
comment on column ledger.flex_positions.payload is 'The event payload (raw attributes, dates as read)';

create or replace view ledger.flex_position_lots as
select e.seq, e.recorded_at, e.account,
       ledger.flex_date(e.payload -> 'dates' ->> 'reportDate') as report_date,
       ledger.to_bigint(r ->> 'conid') as con_id, r ->> 'symbol' as symbol, ledger.flex_num(r ->> 'position') as quantity,
       ledger.flex_num(r ->> 'costBasisMoney') as cost_basis_money, ledger.flex_num(r ->> 'costBasisPrice') as cost_basis_price,
       ledger.flex_time(e.payload -> 'dates' ->> 'openDateTime') as opened_at,
       ledger.flex_id(r ->> 'originatingTransactionID') as originating_transaction_id,
       r ->> 'code' as code, e.payload
  from ledger.events e cross join lateral (select e.payload -> 'raw' as r) x
 where e.source = 'flex' and e.event_type = 'flex_position_lot';
comment on view ledger.flex_position_lots is 'Open tax lots from Activity statements (OpenPositions at levelOfDetail LOT); they add up to the flex_positions row of their instrument.';
comment on column ledger.flex_position_lots.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_position_lots.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_position_lots.account is 'IB account';
comment on column ledger.flex_position_lots.report_date is 'The date the lot is as of';
comment on column ledger.flex_position_lots.con_id is 'IB contract id';
comment on column ledger.flex_position_lots.symbol is 'Symbol';
comment on column ledger.flex_position_lots.quantity is 'Lot quantity, signed';
comment on column ledger.flex_position_lots.cost_basis_money is 'Cost basis of the lot';
comment on column ledger.flex_position_lots.cost_basis_price is 'Cost basis per unit';
comment on column ledger.flex_position_lots.opened_at is 'When the lot was opened';
comment on column ledger.flex_position_lots.originating_transaction_id is 'transactionID of the fill that opened the lot';
comment on column ledger.flex_position_lots.code is 'ST or LT (holding period)';
comment on column ledger.flex_position_lots.payload is 'The event payload (raw attributes, dates as read)';

-- IB's CashTransaction type in the words blotter uses for cash flows.
create or replace function ledger.flex_cash_kind(p_type text, p_amount numeric) returns text
language sql immutable parallel safe as $$
  select case
    when p_type in ('Deposits/Withdrawals', 'Deposits & Withdrawals', 'Deposits', 'Withdrawals') then case when p_amount < 0 then 'withdrawal' else 'deposit' end
    when p_type in ('Dividends', 'Payment In Lieu Of Dividends') then 'dividend'
    when p_type in ('Withholding Tax', '871(m) Withholding') then 'tax'
    when p_type ~ '^(Broker|Bond) Interest (Paid|Received)$' or p_type = 'Broker Interest' then 'interest'
    when p_type in ('Other Fees', 'Advisor Fees', 'Commission Adjustments', 'Broker Fees') then 'fee'
    else 'other' end
$$;
comment on function ledger.flex_cash_kind(text, numeric) is 'A Flex CashTransaction type as a cash-flow kind: deposit, withdrawal, dividend, interest, fee, tax or other.';

create or replace view ledger.flex_cash_transactions as
select e.seq, e.recorded_at, e.account,
       ledger.flex_id(r ->> 'transactionID') as transaction_id,
       r ->> 'type' as type,
       ledger.flex_cash_kind(r ->> 'type', ledger.flex_num(r ->> 'amount')) as kind,
       ledger.flex_num(r ->> 'amount') as amount, r ->> 'currency' as currency,
       ledger.flex_num(r ->> 'fxRateToBase') as fx_rate_to_base,
       ledger.flex_num(r ->> 'amount') * ledger.flex_num(r ->> 'fxRateToBase') as amount_base,
       ledger.flex_time(d ->> 'dateTime') as time,
       coalesce(ledger.flex_date(d ->> 'dateTime'), ledger.flex_date(d ->> 'reportDate')) as date,
       ledger.flex_date(d ->> 'reportDate') as report_date,
       ledger.flex_date(d ->> 'settleDate') as settle_date,
       ledger.flex_date(d ->> 'exDate') as ex_date,
       ledger.flex_id(r ->> 'actionID') as action_id,
       ledger.to_bigint(r ->> 'conid') as con_id, r ->> 'symbol' as symbol, r ->> 'description' as description,
       r ->> 'code' as code, e.payload
  from ledger.events e cross join lateral (select e.payload -> 'raw' as r, e.payload -> 'dates' as d) x
 where e.source = 'flex' and e.event_type = 'flex_cash_transaction';
comment on view ledger.flex_cash_transactions is 'Cash transactions from Activity statements (deposits, withdrawals, dividends, withholding, interest, fees, ...), DETAIL rows only (summary copies are not recorded). A reversal is its own row with the opposite sign.';
comment on column ledger.flex_cash_transactions.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_cash_transactions.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_cash_transactions.account is 'IB account';
comment on column ledger.flex_cash_transactions.transaction_id is 'IB transactionID (NULL where IB gave none: such rows are keyed by their content)';
comment on column ledger.flex_cash_transactions.type is 'IB''s type, as written (Deposits/Withdrawals, Dividends, Withholding Tax, Broker Interest Received, Other Fees, ...)';
comment on column ledger.flex_cash_transactions.kind is 'deposit, withdrawal, dividend, interest, fee, tax or other (ledger.flex_cash_kind)';
comment on column ledger.flex_cash_transactions.amount is 'Signed for the account: positive received, negative paid';
comment on column ledger.flex_cash_transactions.currency is 'Currency of amount';
comment on column ledger.flex_cash_transactions.fx_rate_to_base is 'fxRateToBase';
comment on column ledger.flex_cash_transactions.amount_base is 'amount x fx_rate_to_base';
comment on column ledger.flex_cash_transactions.time is 'When it happened, where IB gave a time';
comment on column ledger.flex_cash_transactions.date is 'The date it happened (New York)';
comment on column ledger.flex_cash_transactions.report_date is 'The date IB booked it (months later for reversals)';
comment on column ledger.flex_cash_transactions.settle_date is 'Settlement date';
comment on column ledger.flex_cash_transactions.ex_date is 'Ex-date (dividends)';
comment on column ledger.flex_cash_transactions.action_id is 'Ties a dividend to its withholding';
comment on column ledger.flex_cash_transactions.con_id is 'Instrument, for dividends and withholding';
comment on column ledger.flex_cash_transactions.symbol is 'Symbol';
comment on column ledger.flex_cash_transactions.description is 'IB''s description';
comment on column ledger.flex_cash_transactions.code is 'IB codes';
comment on column ledger.flex_cash_transactions.payload is 'The event payload (raw attributes, dates as read)';

create or replace view ledger.flex_cash_report as
select e.seq, e.recorded_at, e.account, r ->> 'currency' as currency, r ->> 'levelOfDetail' as level_of_detail,
       coalesce(ledger.flex_date(d ->> 'fromDate'), ledger.flex_date(s ->> 'from_date')) as from_date,
       coalesce(ledger.flex_date(d ->> 'toDate'), ledger.flex_date(s ->> 'to_date')) as to_date,
       ledger.flex_num(r ->> 'startingCash') as starting_cash, ledger.flex_num(r ->> 'commissions') as commissions,
       ledger.flex_num(r ->> 'deposits') as deposits, ledger.flex_num(r ->> 'withdrawals') as withdrawals,
       ledger.flex_num(r ->> 'depositWithdrawals') as deposit_withdrawals, ledger.flex_num(r ->> 'dividends') as dividends,
       ledger.flex_num(r ->> 'paymentInLieu') as payment_in_lieu, ledger.flex_num(r ->> 'withholdingTax') as withholding_tax,
       ledger.flex_num(r ->> 'brokerInterest') as broker_interest, ledger.flex_num(r ->> 'otherFees') as other_fees,
       ledger.flex_num(r ->> 'salesTax') as sales_tax, ledger.flex_num(r ->> 'netTradesSales') as net_trades_sales,
       ledger.flex_num(r ->> 'netTradesPurchases') as net_trades_purchases, ledger.flex_num(r ->> 'fxTranslationGainLoss') as fx_translation_gain_loss,
       ledger.flex_num(r ->> 'endingCash') as ending_cash, ledger.flex_num(r ->> 'endingSettledCash') as ending_settled_cash, e.payload
  from ledger.events e
 cross join lateral (select e.payload -> 'raw' as r, e.payload -> 'dates' as d, null::jsonb as s) x
 where e.source = 'flex' and e.event_type = 'flex_cash_report';
comment on view ledger.flex_cash_report is 'Cash report from Activity statements: per account, period and currency (and BASE_SUMMARY, the total in base currency), starting cash, each kind of activity and ending cash.';
comment on column ledger.flex_cash_report.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_cash_report.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_cash_report.account is 'IB account';
comment on column ledger.flex_cash_report.currency is 'Currency, or BASE_SUMMARY for the base-currency total';
comment on column ledger.flex_cash_report.level_of_detail is 'Currency or BaseCurrency';
comment on column ledger.flex_cash_report.from_date is 'First day of the period';
comment on column ledger.flex_cash_report.to_date is 'Last day of the period: ending_cash is as of its close';
comment on column ledger.flex_cash_report.starting_cash is 'Cash at the start of the period';
comment on column ledger.flex_cash_report.commissions is 'Commissions paid (negative)';
comment on column ledger.flex_cash_report.deposits is 'Deposits';
comment on column ledger.flex_cash_report.withdrawals is 'Withdrawals (negative)';
comment on column ledger.flex_cash_report.deposit_withdrawals is 'deposits + withdrawals';
comment on column ledger.flex_cash_report.dividends is 'Dividends';
comment on column ledger.flex_cash_report.payment_in_lieu is 'Payments in lieu of dividends';
comment on column ledger.flex_cash_report.withholding_tax is 'Withholding tax (negative)';
comment on column ledger.flex_cash_report.broker_interest is 'Broker interest, net';
comment on column ledger.flex_cash_report.other_fees is 'Other fees';
comment on column ledger.flex_cash_report.sales_tax is 'Sales tax';
comment on column ledger.flex_cash_report.net_trades_sales is 'Cash from sales';
comment on column ledger.flex_cash_report.net_trades_purchases is 'Cash spent on purchases (negative)';
comment on column ledger.flex_cash_report.fx_translation_gain_loss is 'FX translation (BASE_SUMMARY only)';
comment on column ledger.flex_cash_report.ending_cash is 'Cash at the end of the period';
comment on column ledger.flex_cash_report.ending_settled_cash is 'Settled cash at the end of the period';
comment on column ledger.flex_cash_report.payload is 'The event payload (raw attributes, dates as read)';

create or replace view ledger.flex_nav as
select e.seq, e.recorded_at, e.account,
       ledger.flex_date(e.payload -> 'dates' ->> 'reportDate') as report_date,
       r ->> 'currency' as currency,
       ledger.flex_num(r ->> 'cash') as cash, ledger.flex_num(r ->> 'stock') as stock, ledger.flex_num(r ->> 'options') as options,
       ledger.flex_num(r ->> 'commodities') as commodities, ledger.flex_num(r ->> 'bonds') as bonds, ledger.flex_num(r ->> 'funds') as funds,
       ledger.flex_num(r ->> 'dividendAccruals') as dividend_accruals, ledger.flex_num(r ->> 'interestAccruals') as interest_accruals,
       ledger.flex_num(r ->> 'total') as nav, e.payload
  from ledger.events e cross join lateral (select e.payload -> 'raw' as r) x
 where e.source = 'flex' and e.event_type = 'flex_nav';
comment on view ledger.flex_nav is 'Daily net asset value in base currency from Activity statements (EquitySummaryByReportDateInBase), one row per account and report date.';
comment on column ledger.flex_nav.seq is 'Ledger seq of the event holding this row';
comment on column ledger.flex_nav.recorded_at is 'When blotter imported the row';
comment on column ledger.flex_nav.account is 'IB account';
comment on column ledger.flex_nav.report_date is 'The day (as of its close)';
comment on column ledger.flex_nav.currency is 'Base currency (when the statement names it)';
comment on column ledger.flex_nav.cash is 'Cash';
comment on column ledger.flex_nav.stock is 'Stocks';
comment on column ledger.flex_nav.options is 'Options';
comment on column ledger.flex_nav.commodities is 'Futures and commodities';
comment on column ledger.flex_nav.bonds is 'Bonds';
comment on column ledger.flex_nav.funds is 'Funds';
comment on column ledger.flex_nav.dividend_accruals is 'Dividend accruals';
comment on column ledger.flex_nav.interest_accruals is 'Interest accruals';
comment on column ledger.flex_nav.nav is 'Net asset value (total)';
comment on column ledger.flex_nav.payload is 'The event payload (raw attributes, dates as read)';

create or replace view ledger.flex_statements as
select e.seq, e.recorded_at as imported_at, e.account, e.payload ->> 'type' as type, e.payload ->> 'query_name' as query_name,
       ledger.flex_date(e.payload ->> 'from_date') as from_date, ledger.flex_date(e.payload ->> 'to_date') as to_date,
       nullif(e.payload ->> 'period', '') as period, ledger.flex_time(e.payload ->> 'when_generated') as when_generated,
       e.payload ->> 'file' as file, e.payload ->> 'sha256' as sha256, e.payload -> 'rows' as rows, e.payload -> 'skipped' as skipped,
       -- NULL when the statement does not say (then it counts as holding every section)
       case when jsonb_typeof(e.payload -> 'sections') = 'array' then array(select jsonb_array_elements_text(e.payload -> 'sections')) end as sections
  from ledger.events e
 where e.source = 'flex' and e.event_type = 'flex_statement';
comment on view ledger.flex_statements is 'Flex statements imported: one row per account and statement (type, period, when IB generated it); importing the same statement again adds nothing.';
comment on column ledger.flex_statements.seq is 'Ledger seq of the event';
comment on column ledger.flex_statements.imported_at is 'When blotter first imported it';
comment on column ledger.flex_statements.account is 'IB account';
comment on column ledger.flex_statements.type is 'AF (Activity) or TCF (Trade Confirmation)';
comment on column ledger.flex_statements.query_name is 'The Flex query''s name';
comment on column ledger.flex_statements.from_date is 'First day the statement covers';
comment on column ledger.flex_statements.to_date is 'Last day the statement covers';
comment on column ledger.flex_statements.period is 'IB''s period name (LastBusinessDay, LastQuarter, ...), NULL for a custom range';
comment on column ledger.flex_statements.when_generated is 'When IB generated it';
comment on column ledger.flex_statements.file is 'File name it was imported from';
comment on column ledger.flex_statements.sha256 is 'SHA-256 of the file as imported';
comment on column ledger.flex_statements.rows is 'Rows per section in the statement';
comment on column ledger.flex_statements.skipped is 'Rows per section not recorded (roll-ups, summary copies)';
comment on column ledger.flex_statements.sections is 'The sections the statement holds, empty ones included (what its query asked for); NULL when not recorded: read as every section';

create or replace view ledger.flex_rows as
select e.seq, e.recorded_at, e.account, e.payload ->> 'section' as section, e.payload ->> 'element' as element,
       ledger.flex_id(e.payload -> 'raw' ->> 'transactionID') as transaction_id, e.occurred_at, e.payload -> 'dates' as dates, e.payload -> 'raw' as raw
  from ledger.events e
 where e.source = 'flex' and e.event_type = 'flex_row';
comment on view ledger.flex_rows is 'Every other Flex row (corporate actions, closed lots, FX rates, change in NAV, account information, sections blotter has no view for yet), as IB wrote it.';
comment on column ledger.flex_rows.seq is 'Ledger seq of the event';
comment on column ledger.flex_rows.recorded_at is 'When blotter imported it';
comment on column ledger.flex_rows.account is 'IB account';
comment on column ledger.flex_rows.section is 'The section (element under FlexStatement)';
comment on column ledger.flex_rows.element is 'The row''s element name';
comment on column ledger.flex_rows.transaction_id is 'IB transactionID when the row has one';
comment on column ledger.flex_rows.occurred_at is 'The row''s own date or time, else the statement''s end';
comment on column ledger.flex_rows.dates is 'Date attributes as read (instants UTC, dates YYYY-MM-DD)';
comment on column ledger.flex_rows.raw is 'Every non-empty attribute as IB wrote it';

-- What an import added to the given streams in this transaction, per account, section and
-- event type (the importer's counts; blotter_agent cannot read the ledger itself).
create or replace function ledger.flex_appended(p_streams text[], p_heads bigint[])
returns table (account text, section text, event_type text, statement text, n integer)
language sql stable security definer set search_path = '' as $$
  select e.account, e.payload ->> 'section', e.event_type, case when e.event_type = 'flex_statement' then e.entity_id end, count(*)::integer
    from unnest(p_streams, p_heads) as s(stream, head)
    join ledger.events e on e.stream = s.stream and e.stream_seq > s.head
   where e.source = 'flex' and e.xmin = pg_catalog.pg_current_xact_id()::xid
   group by 1, 2, 3, 4
$$;
comment on function ledger.flex_appended(text[], bigint[]) is 'Rows this transaction appended to each stream past the given head, counted per account, section and event type (what a Flex import added).';
