-- Round trips: each account's fills per instrument matched first in, first out. A fill
-- against the open position closes the oldest lots first; the part of a fill that goes
-- through flat opens a new position the other way. One round trip per closing fill: the
-- quantity it closed, the weighted entry price of the lots it closed, its own price as the
-- exit. P&L is exact (sums of quantity x price, no rounded averages in it):
--   long:  gross = (exit x qty - sum(lot qty x lot price)) x multiplier
--   short: gross = (sum(lot qty x lot price) - exit x qty) x multiplier
-- commission = the closing fill's commission for the closed part + each closed lot's
-- opening commission for its closed part (pro rata by quantity, rounded to 10 decimals; a
-- lot's last part takes what is left, so a fill's commission is spent exactly once);
-- net = gross - commission. A fill whose commission is not known yet counts 0.
-- It reads the materialized reports.fills (refreshed first), and reports.trades is
-- materialized from it.

create or replace function reports.round_trips(p_account text default null)
returns table (account text, con_id bigint, symbol text, sec_type text, currency text, multiplier numeric, direction text, quantity numeric,
               open_time timestamptz, close_time timestamptz, close_trade_date date, entry_price numeric, exit_price numeric,
               gross_pnl numeric, commission numeric, net_pnl numeric, holding_time interval, fx_rate_to_base numeric, net_pnl_base numeric,
               strategy text, open_exec_ids text[], close_exec_id text)
language plpgsql stable security definer set search_path = '' rows 100000 as $$
#variable_conflict use_column
declare
  f      record;
  v_key  text := null;
  -- the open lots of the current instrument, oldest first: signed quantity left, price,
  -- time, opening commission left, exec id, strategy
  lq numeric[]; lp numeric[]; lt timestamptz[]; lc numeric[]; le text[]; ls text[];
  q      numeric;
  fcomm  numeric;
  part   numeric;
  take   numeric;
  closed numeric;
  cost   numeric;
  ocomm  numeric;
  execs  text[];
  first_t timestamptz;
  first_s text;
  n      integer;
begin
  for f in
    select * from reports.fills x
     where (p_account is null or x.account = p_account) and x.con_id is not null and x.quantity > 0
     order by x.account, x.con_id, x.fill_time, x.exec_id
  loop
    if v_key is distinct from f.account || ':' || f.con_id then
      v_key := f.account || ':' || f.con_id;
      lq := '{}'; lp := '{}'; lt := '{}'; lc := '{}'; le := '{}'; ls := '{}';
    end if;
    q := f.signed_quantity;
    fcomm := coalesce(f.commission, 0);
    n := coalesce(array_length(lq, 1), 0);
    if n > 0 and sign(lq[1]) <> sign(q) then
      closed := 0; cost := 0; ocomm := 0; execs := '{}'; first_t := lt[1]; first_s := ls[1];
      while q <> 0 and n > 0 loop
        take := least(abs(q), abs(lq[1]));
        closed := closed + take;
        cost := cost + take * lp[1];
        execs := execs || le[1];
        if take = abs(lq[1]) then
          ocomm := ocomm + lc[1];
          lq := lq[2:n]; lp := lp[2:n]; lt := lt[2:n]; lc := lc[2:n]; le := le[2:n]; ls := ls[2:n];
          n := n - 1;
        else
          part := round(lc[1] * take / abs(lq[1]), 10);
          ocomm := ocomm + part;
          lc[1] := lc[1] - part;
          lq[1] := lq[1] - sign(lq[1]) * take;
        end if;
        q := q - sign(q) * take;
      end loop;
      account := f.account; con_id := f.con_id; symbol := f.symbol; sec_type := f.sec_type; currency := f.currency;
      multiplier := f.multiplier;
      -- selling closes a long, buying closes a short
      direction := case when f.side = 'SELL' then 'long' else 'short' end;
      quantity := closed;
      open_time := first_t; close_time := f.fill_time; close_trade_date := f.trade_date;
      entry_price := trim_scale(cost / closed); exit_price := f.price;
      gross_pnl := trim_scale(case when f.side = 'SELL' then f.price * closed - cost else cost - f.price * closed end * f.multiplier);
      -- the closing fill's share for what it closed; what it opens keeps the rest
      part := case when q = 0 then fcomm else round(fcomm * closed / f.quantity, 10) end;
      fcomm := fcomm - part;
      commission := trim_scale(ocomm + part);
      net_pnl := trim_scale(gross_pnl - commission);
      holding_time := f.fill_time - first_t;
      fx_rate_to_base := f.fx_rate_to_base;
      net_pnl_base := trim_scale(net_pnl * f.fx_rate_to_base);
      strategy := first_s; open_exec_ids := execs; close_exec_id := f.exec_id;
      return next;
    end if;
    if q <> 0 then
      lq := lq || q; lp := lp || f.price; lt := lt || f.fill_time; lc := lc || fcomm; le := le || f.exec_id; ls := ls || f.strategy;
    end if;
  end loop;
end
$$;
comment on function reports.round_trips(text) is 'Round trips of one account (or all): fills matched FIFO per account and instrument, one row per closing fill.';

select reports.materialize('trades', 20, 'select * from reports.round_trips(null)',
  array['account', 'close_exec_id'], array['account, close_trade_date', 'account, con_id, close_time']);
comment on materialized view reports.trades is 'Round trips: each account''s broker fills (reports.fills) matched first in, first out per instrument, long and short; one row per closing fill, with the lots it closed. P&L in the trade currency, exact.';
comment on column reports.trades.account is 'IB account';
comment on column reports.trades.con_id is 'IB contract id';
comment on column reports.trades.symbol is 'Symbol';
comment on column reports.trades.sec_type is 'STK, OPT, FUT, ...';
comment on column reports.trades.currency is 'Trade currency (P&L is in it)';
comment on column reports.trades.multiplier is 'Contract multiplier';
comment on column reports.trades.direction is 'long (bought, then sold) or short (sold, then bought back)';
comment on column reports.trades.quantity is 'Quantity closed by this round trip';
comment on column reports.trades.open_time is 'When the oldest lot it closed was opened';
comment on column reports.trades.close_time is 'When the closing fill happened';
comment on column reports.trades.close_trade_date is 'New York date of the closing fill: the day the P&L is realized';
comment on column reports.trades.entry_price is 'Quantity-weighted price of the lots closed';
comment on column reports.trades.exit_price is 'Price of the closing fill';
comment on column reports.trades.gross_pnl is 'Realized P&L before commissions: (exit - entry) x quantity x multiplier, negated for a short; exact';
comment on column reports.trades.commission is 'Commissions of this round trip: the closing fill''s for the closed part plus the opening fills'' for the lots'' closed parts (pro rata by quantity); a commission not known yet counts 0';
comment on column reports.trades.net_pnl is 'gross_pnl - commission';
comment on column reports.trades.holding_time is 'close_time - open_time';
comment on column reports.trades.fx_rate_to_base is 'The closing fill''s rate to the base currency, from the statement (NULL until imported)';
comment on column reports.trades.net_pnl_base is 'net_pnl x fx_rate_to_base';
comment on column reports.trades.strategy is 'Strategy of the order that opened the oldest lot';
comment on column reports.trades.open_exec_ids is 'Execution ids of the opening fills matched, oldest first';
comment on column reports.trades.close_exec_id is 'Execution id of the closing fill';
