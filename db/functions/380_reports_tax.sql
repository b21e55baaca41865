-- US tax lots: the broker's fills (reports.fills) per account and instrument made into lots
-- by the account's lot method (reports.tax_accounts), wash sales (IRC §1091, Reg
-- §1.1091-1), option exercise and assignment folded into the stock, Section 1256 contracts
-- marked to market at year end; and the reports read from them: tax_lots, realized_gains,
-- form_8949, section_1256. docs/reports.md says what is and is not covered. Not tax advice.
--
-- One engine (reports.tax_engine) computes everything in two passes over parallel arrays of
-- lot parts ("slices": a quantity of one lot with one fate: open, or closed by one fill):
--   1. per account and instrument in time order, fills open and close lots; a partial close
--      splits the lot (the closed part becomes a new slice, the rest keeps its index);
--      §1256 contracts still open at a year end are deemed sold at the year's last mark;
--   2. per taxpayer and instrument, losses in sale order pair with replacement acquisitions
--      (30 days either side), earliest first; a replacement used in part is split.
-- Amounts are exact numerics; a share of an amount is rounded to 10 decimals and the last
-- share takes what is left, so every amount is spent exactly once.

create or replace function reports.tax_engine()
returns table (slice integer, account text, taxpayer text, ira boolean, con_id bigint, symbol text, sec_type text, currency text,
               multiplier numeric, section_1256 boolean, lot_id text, short boolean, quantity numeric, acquired_date date,
               acquired_at timestamptz, unmarked_amount numeric, open_amount numeric, kind text, close_exec_id text, closed_at timestamptz,
               close_date date, close_amount numeric, wash_adjustment numeric, adjusted_start date, wash_from_exec_id text,
               disallowed_loss numeric, disallowed_to_ira numeric, replacement boolean, folded_into_exec_id text)
language plpgsql stable security definer set search_path = '' rows 100000 as $$
#variable_conflict use_column
declare
  f record;
  n integer := 0;
  -- the slices, by index
  s_acct text[] := '{}'; s_tp text[] := '{}'; s_ira boolean[] := '{}'; s_con bigint[] := '{}'; s_sym text[] := '{}'; s_sec text[] := '{}';
  s_cur text[] := '{}'; s_mult numeric[] := '{}'; s_1256 boolean[] := '{}';
  s_lot text[] := '{}';              -- execution id of the fill that opened the lot
  s_origin text[] := '{}';           -- the order that opened it: a purchase cannot replace itself
  s_short boolean[] := '{}';
  s_qty numeric[] := '{}';
  s_acq date[] := '{}'; s_acq_at timestamptz[] := '{}';
  s_openv numeric[] := '{}';         -- opening amount before year-end marks (long: cost; short: proceeds)
  s_open numeric[] := '{}';          -- opening amount now (the last mark's value for a marked §1256 contract)
  s_kind text[] := '{}';             -- NULL while open: sale, cover, expiry, exercise, assignment, mark, mark_missing
  s_cexec text[] := '{}'; s_cat timestamptz[] := '{}'; s_cdate date[] := '{}';
  s_close numeric[] := '{}';         -- closing amount (long: proceeds; short: cost)
  s_adj numeric[] := '{}';           -- washed loss received (added to the basis)
  s_start date[] := '{}';            -- holding period start carried from the washed lot
  s_wfrom text[] := '{}';            -- the loss sale whose loss it received
  s_dis numeric[] := '{}';           -- loss of this part disallowed
  s_lost numeric[] := '{}';          -- of which washed into an IRA: lost for good
  s_used boolean[] := '{}';          -- used as a replacement (once only)
  s_fold text[] := '{}';             -- an exercised/assigned option part: the stock fill its premium went into
  s_pos integer[] := '{}'; s_head integer[] := '{}'; s_tail integer[] := '{}'; s_sib integer[] := '{}';
  -- the instrument being read
  v_inst text; v_group text; v_g1256 boolean; g_start integer; v_is1256 boolean; v_method text; v_acct text; v_con bigint;
  v_year integer; v_target integer; v_this_year integer := extract(year from (now() at time zone 'America/New_York'))::integer;
  v_open integer[];                  -- open slices of the instrument, oldest first
  v_order integer[];
  v_folds jsonb := '{}';             -- premium to fold into a stock fill: 'account exec_id' -> amount
  v_new boolean;
  v_kind text; v_amount numeric; v_left numeric; v_fold numeric; v_net numeric; q numeric; take numeric; part numeric; part2 numeric;
  v_mark numeric; v_mdate date; v_qsum numeric;
  v_sales integer[]; v_cands integer[]; lo integer; c integer; p integer; i integer; j integer; k integer; r integer;
  v_loss numeric; v_held integer; need numeric; given numeric;
  -- Local copies for sorting. A query that reads an element of the slice arrays (s_*[g])
  -- is handed the whole array, so the sorts below read small local arrays instead: with the
  -- slice arrays in them the engine grew with the square of the fills.
  k_idx integer[]; k_a date[]; k_b timestamptz[]; k_c text[]; k_d timestamptz[]; k_n numeric[]; k_t text[]; v_keep integer[];
begin
  for f in
    with fx as (
      -- a statement's facts about a fill: IB's codes (Ex, A, Ep), the option's underlying
      select distinct on (ff.account, b.base) ff.account, b.base, ff.codes, ff.order_id,
             ledger.to_bigint(ff.payload -> 'raw' ->> 'underlyingConid') as underlying_con_id,
             nullif(ff.payload -> 'raw' ->> 'underlyingSymbol', '') as underlying_symbol,
             nullif(ff.payload -> 'raw' ->> 'underlyingCategory', '') as underlying_category,
             nullif(ff.payload -> 'raw' ->> 'putCall', '') as put_call
        from ledger.flex_fills ff
       cross join lateral (select case when strpos(ff.exec_id, '.') > 0 then regexp_replace(ff.exec_id, '\.[^.]*$', '') else ff.exec_id end as base) b
       order by ff.account, b.base, ff.seq desc
    ),
    x as (
      select r.*, coalesce(ta.taxpayer, r.account) as taxpayer, coalesce(ta.lot_method, 'FIFO') as lot_method, coalesce(ta.ira, false) as ira,
             coalesce(fx.codes, '{}') as codes, fx.order_id, fx.underlying_con_id, fx.put_call,
             coalesce(r.sec_type in ('FUT', 'FOP')
               or (r.sec_type = 'OPT' and (fx.underlying_category is not distinct from 'IND'
                   or upper(split_part(trim(coalesce(fx.underlying_symbol, r.symbol)), ' ', 1))
                      in ('SPX', 'SPXW', 'NDX', 'NDXP', 'RUT', 'RUTW', 'VIX', 'VIXW', 'XSP', 'DJX', 'OEX', 'XEO'))), false) as is_1256
        from reports.fills r
        left join reports.tax_accounts ta on ta.account = r.account
        left join fx on fx.account = r.account
                    and fx.base = case when strpos(r.exec_id, '.') > 0 then regexp_replace(r.exec_id, '\.[^.]*$', '') else r.exec_id end
       where r.con_id is not null and r.quantity > 0 and r.sec_type is distinct from 'CASH'
    ),
    -- an exercised or assigned option and the stock fill it became: same account,
    -- underlying and trade date, the side the right gives (call bought or put written: a
    -- buy), the fill IB marked Ex/A and of the matching quantity first
    m as (
      select distinct on (o.account, o.exec_id) o.account, o.exec_id, s.exec_id as stock_exec_id
        from x o join x s on s.account = o.account and s.con_id = o.underlying_con_id and s.trade_date = o.trade_date and s.sec_type not in ('OPT', 'FOP')
                         and (o.put_call is null or s.side = case when (o.put_call = 'C') = (o.side = 'SELL') then 'BUY' else 'SELL' end)
       where o.sec_type in ('OPT', 'FOP') and o.codes && array['Ex', 'A']
       order by o.account, o.exec_id, (s.codes && array['Ex', 'A']) desc, abs(s.quantity - o.quantity * o.multiplier), s.fill_time, s.exec_id
    ),
    named as (
      select distinct on (e.account, e.payload ->> 'order_ref') e.account, e.payload ->> 'order_ref' as order_ref,
             array(select jsonb_array_elements_text(e.payload -> 'tax_lots')) as tax_lots
        from ledger.events e
       where e.event_type = 'order_submitted' and jsonb_typeof(e.payload -> 'tax_lots') = 'array'
       order by e.account, e.payload ->> 'order_ref', e.seq
    ),
    y as (
      select x.*, m.stock_exec_id, case when x.lot_method = 'SPECIFIC' then nd.tax_lots end as tax_lots,
             coalesce('perm:' || x.perm_id, 'order:' || x.order_id, 'exec:' || x.exec_id) as origin
        from x left join m on m.account = x.account and m.exec_id = x.exec_id
        left join named nd on nd.account = x.account and nd.order_ref = x.order_ref
    )
    -- one more row after the last: the sentinel that closes the last instrument
    select s.sentinel, y.* from (values (false), (true)) s(sentinel) left join y on not s.sentinel
     where s.sentinel or y.exec_id is not null
     order by s.sentinel, y.taxpayer, y.sec_type in ('OPT', 'FOP') desc, y.con_id, y.account, y.fill_time, y.exec_id
  loop
    v_new := f.sentinel or v_inst is distinct from f.account || ' ' || f.con_id;

    -- §1256: open contracts are deemed sold at each year end passed (before this fill, or
    -- up to last year at the instrument's end) at the mark of the account's last statement
    -- of that year; the mark is the basis from then on
    if v_inst is not null and v_is1256 then
      v_target := case when v_new then v_this_year - 1 else extract(year from f.trade_date)::integer - 1 end;
      while v_year <= v_target and cardinality(v_open) > 0 loop
        v_mark := null; v_mdate := null;
        select fp.mark_price, fp.report_date into v_mark, v_mdate
          from ledger.flex_positions fp
         where fp.account = v_acct and fp.con_id = v_con and fp.mark_price is not null
           and fp.report_date = (select max(q2.report_date) from ledger.flex_positions q2
                                  where q2.account = v_acct and q2.report_date between make_date(v_year, 1, 1) and make_date(v_year, 12, 31))
         order by fp.seq desc limit 1;
        if v_mark is null then
          -- no mark: said so in a row of its own, the contracts keep their basis
          v_qsum := 0;
          foreach j in array v_open loop v_qsum := v_qsum + s_qty[j]; end loop;
          j := v_open[1];
          n := n + 1;
          s_acct[n] := s_acct[j]; s_tp[n] := s_tp[j]; s_ira[n] := s_ira[j]; s_con[n] := s_con[j]; s_sym[n] := s_sym[j]; s_sec[n] := s_sec[j];
          s_cur[n] := s_cur[j]; s_mult[n] := s_mult[j]; s_1256[n] := true; s_lot[n] := null; s_origin[n] := null; s_short[n] := s_short[j];
          s_qty[n] := v_qsum; s_acq[n] := null; s_acq_at[n] := null; s_openv[n] := null; s_open[n] := null; s_kind[n] := 'mark_missing';
          s_cexec[n] := null; s_cdate[n] := make_date(v_year, 12, 31); s_cat[n] := null; s_close[n] := null; s_adj[n] := 0; s_start[n] := null;
          s_wfrom[n] := null; s_dis[n] := 0; s_lost[n] := 0; s_used[n] := false; s_fold[n] := null;
        else
          foreach j in array v_open loop
            n := n + 1; k := n;
            s_acct[k] := s_acct[j]; s_tp[k] := s_tp[j]; s_ira[k] := s_ira[j]; s_con[k] := s_con[j]; s_sym[k] := s_sym[j]; s_sec[k] := s_sec[j];
            s_cur[k] := s_cur[j]; s_mult[k] := s_mult[j]; s_1256[k] := s_1256[j]; s_lot[k] := s_lot[j]; s_origin[k] := s_origin[j];
            s_short[k] := s_short[j]; s_qty[k] := s_qty[j]; s_acq[k] := s_acq[j]; s_acq_at[k] := s_acq_at[j]; s_openv[k] := s_openv[j];
            s_open[k] := s_open[j]; s_kind[k] := 'mark'; s_cexec[k] := null; s_cdate[k] := v_mdate;
            s_cat[k] := (v_mdate + time '16:00') at time zone 'America/New_York'; s_close[k] := s_qty[j] * v_mark * s_mult[j];
            s_adj[k] := 0; s_start[k] := null; s_wfrom[k] := null; s_dis[k] := 0; s_lost[k] := 0; s_used[k] := false; s_fold[k] := null;
            s_open[j] := s_close[k];
          end loop;
        end if;
        v_year := v_year + 1;
      end loop;
    end if;

    if v_new then
      -- wash sales of the taxpayer's instrument just finished (never for §1256 contracts)
      if v_group is not null and (f.sentinel or v_group is distinct from f.taxpayer || ' ' || f.con_id) then
        if not v_g1256 and n >= g_start then
          -- losses in order of sale (the same sale's lots in acquisition order); candidates
          -- earliest acquired first
          k_idx := '{}'; k_a := '{}'; k_b := '{}'; k_c := '{}'; k_d := '{}';
          for g in g_start .. n loop
            if s_kind[g] in ('sale', 'cover', 'expiry') then
              k_idx := k_idx || g; k_a := k_a || s_cdate[g]; k_b := k_b || s_cat[g]; k_c := k_c || s_cexec[g]; k_d := k_d || s_acq_at[g];
            end if;
          end loop;
          v_sales := array(select u.g from unnest(k_idx, k_a, k_b, k_c, k_d) u(g, a, b, c, d) order by u.a, u.b, u.c, u.d, u.g);
          k_idx := '{}'; k_a := '{}'; k_b := '{}';
          for g in g_start .. n loop
            if s_acq[g] is not null then k_idx := k_idx || g; k_a := k_a || s_acq[g]; k_b := k_b || s_acq_at[g]; end if;
          end loop;
          v_cands := array(select u.g from unnest(k_idx, k_a, k_b) u(g, a, b) order by u.a, u.b, u.g);
          for p in 1 .. cardinality(v_sales) loop s_pos[v_sales[p]] := p; end loop;
          lo := 1;
          for p in 1 .. cardinality(v_sales) loop
            i := v_sales[p];
            -- the sale, then the parts split off it as replacements (same sale), in that order
            loop
              v_loss := case when s_short[i] then s_close[i] + s_adj[i] - s_open[i] else s_open[i] + s_adj[i] - s_close[i] end;
              -- an IRA's own losses are not taxable: only its purchases count, as replacements
              if v_loss > 0 and not s_ira[i] then
                v_held := s_cdate[i] - coalesce(s_start[i], s_acq[i]);
                while lo <= cardinality(v_cands) and s_acq[v_cands[lo]] < s_cdate[i] - 30 loop lo := lo + 1; end loop;
                need := s_qty[i]; given := 0; c := lo;
                while need > 0 and c <= cardinality(v_cands) and s_acq[v_cands[c]] <= s_cdate[i] + 30 loop
                  r := v_cands[c]; c := c + 1;
                  -- a replacement: not used before, the same direction (a purchase for a
                  -- sale, a short sale for a cover: §1091(e)), another order, and still
                  -- held when the loss was taken (open, or sold later in this order)
                  continue when s_used[r] or s_short[r] <> s_short[i] or s_origin[r] = s_origin[i]
                             or (s_kind[r] is not null and (s_pos[r] is null or s_pos[r] <= s_pos[i]));
                  take := least(need, s_qty[r]);
                  part := case when take = need then v_loss - given else round(v_loss * take / s_qty[i], 10) end;
                  if take < s_qty[r] then
                    -- split off the replacing part; r keeps the rest
                    n := n + 1; k := n;
                    s_acct[k] := s_acct[r]; s_tp[k] := s_tp[r]; s_ira[k] := s_ira[r]; s_con[k] := s_con[r]; s_sym[k] := s_sym[r]; s_sec[k] := s_sec[r];
                    s_cur[k] := s_cur[r]; s_mult[k] := s_mult[r]; s_1256[k] := s_1256[r]; s_lot[k] := s_lot[r]; s_origin[k] := s_origin[r];
                    s_short[k] := s_short[r]; s_qty[k] := take; s_acq[k] := s_acq[r]; s_acq_at[k] := s_acq_at[r];
                    part2 := round(s_openv[r] * take / s_qty[r], 10); s_openv[k] := part2; s_openv[r] := s_openv[r] - part2;
                    part2 := round(s_open[r] * take / s_qty[r], 10); s_open[k] := part2; s_open[r] := s_open[r] - part2;
                    s_kind[k] := s_kind[r]; s_cexec[k] := s_cexec[r]; s_cat[k] := s_cat[r]; s_cdate[k] := s_cdate[r];
                    if s_close[r] is not null then
                      part2 := round(s_close[r] * take / s_qty[r], 10); s_close[k] := part2; s_close[r] := s_close[r] - part2;
                    else
                      s_close[k] := null;
                    end if;
                    s_qty[r] := s_qty[r] - take;
                    s_adj[k] := 0; s_start[k] := null; s_wfrom[k] := null; s_dis[k] := 0; s_lost[k] := 0; s_fold[k] := null;
                    if s_kind[r] is not null then
                      s_pos[k] := s_pos[r];
                      if s_head[r] is null then s_head[r] := k; else s_sib[s_tail[r]] := k; end if;
                      s_tail[r] := k;
                    end if;
                  else
                    k := r;
                  end if;
                  s_used[k] := true; s_wfrom[k] := s_cexec[i];
                  if s_ira[k] then
                    s_lost[i] := s_lost[i] + part;
                  else
                    s_adj[k] := s_adj[k] + part;
                    s_start[k] := s_acq[k] - v_held;
                  end if;
                  s_dis[i] := s_dis[i] + part;
                  given := given + part; need := need - take;
                end loop;
              end if;
              i := case when i = v_sales[p] then s_head[i] else s_sib[i] end;
              exit when i is null;
            end loop;
          end loop;
        end if;
        v_group := null;
      end if;
      exit when f.sentinel;
      if v_group is null then
        v_group := f.taxpayer || ' ' || f.con_id; v_g1256 := f.is_1256; g_start := n + 1;
      end if;
      v_inst := f.account || ' ' || f.con_id; v_open := '{}'; v_is1256 := f.is_1256; v_acct := f.account; v_con := f.con_id;
      v_method := case when f.is_1256 then 'FIFO' else f.lot_method end;
    end if;
    v_year := extract(year from f.trade_date)::integer;

    -- the fill's amount: a buy's cost, a sale's proceeds net of commission, with the premium
    -- of an option exercised or assigned into it
    v_fold := coalesce((v_folds ->> (f.account || ' ' || f.exec_id))::numeric, 0);
    v_amount := case when f.side = 'BUY' then f.quantity * f.price * f.multiplier + coalesce(f.commission, 0) - v_fold
                     else f.quantity * f.price * f.multiplier - coalesce(f.commission, 0) + v_fold end;
    q := f.quantity; v_left := v_amount;

    if cardinality(v_open) > 0 and s_short[v_open[1]] = (f.side = 'BUY') then
      -- which lots it closes
      if v_method = 'LIFO' then
        v_order := array(select u.j from unnest(v_open) with ordinality u(j, o) order by u.o desc);
      elsif v_method = 'HIFO' and not s_short[v_open[1]] then
        k_n := '{}';
        foreach j in array v_open loop k_n := k_n || (s_open[j] / s_qty[j]); end loop;
        v_order := array(select u.j from unnest(v_open, k_n) with ordinality u(j, c, o) order by u.c desc, u.o);
      elsif v_method = 'SPECIFIC' and f.tax_lots is not null then
        k_t := '{}';
        foreach j in array v_open loop k_t := k_t || s_lot[j]; end loop;
        v_order := array(select u.j from unnest(v_open, k_t) with ordinality u(j, lot, o)
                          order by (select min(nm.ni) from unnest(f.tax_lots) with ordinality nm(x, ni)
                                     where nm.x = u.lot
                                        or (strpos(nm.x, '.') > 0 and regexp_replace(nm.x, '\.[^.]*$', '') = regexp_replace(u.lot, '\.[^.]*$', '')))
                                   nulls last, u.o);
      else
        v_order := v_open;
      end if;
      v_kind := case when f.codes && array['Ep'] then 'expiry'
                     when f.stock_exec_id is not null and f.codes && array['Ex'] then 'exercise'
                     when f.stock_exec_id is not null and f.codes && array['A'] then 'assignment'
                     when f.side = 'SELL' then 'sale' else 'cover' end;
      v_net := 0;
      foreach j in array v_order loop
        exit when q = 0;
        take := least(q, s_qty[j]);
        part := case when take = q then v_left else round(v_amount * take / f.quantity, 10) end;
        if take < s_qty[j] then
          n := n + 1; k := n;
          s_acct[k] := s_acct[j]; s_tp[k] := s_tp[j]; s_ira[k] := s_ira[j]; s_con[k] := s_con[j]; s_sym[k] := s_sym[j]; s_sec[k] := s_sec[j];
          s_cur[k] := s_cur[j]; s_mult[k] := s_mult[j]; s_1256[k] := s_1256[j]; s_lot[k] := s_lot[j]; s_origin[k] := s_origin[j];
          s_short[k] := s_short[j]; s_qty[k] := take; s_acq[k] := s_acq[j]; s_acq_at[k] := s_acq_at[j];
          part2 := round(s_openv[j] * take / s_qty[j], 10); s_openv[k] := part2; s_openv[j] := s_openv[j] - part2;
          part2 := round(s_open[j] * take / s_qty[j], 10); s_open[k] := part2; s_open[j] := s_open[j] - part2;
          s_qty[j] := s_qty[j] - take;
          s_adj[k] := 0; s_start[k] := null; s_wfrom[k] := null; s_dis[k] := 0; s_lost[k] := 0; s_used[k] := false;
        else
          k := j;
        end if;
        s_kind[k] := v_kind; s_cexec[k] := f.exec_id; s_cat[k] := f.fill_time; s_cdate[k] := f.trade_date; s_close[k] := part;
        s_fold[k] := case when v_kind in ('exercise', 'assignment') then f.stock_exec_id end;
        v_net := v_net + case when s_short[k] then s_open[k] - s_close[k] else s_close[k] - s_open[k] end;
        q := q - take; v_left := v_left - part;
      end loop;
      v_keep := '{}';
      foreach j in array v_open loop
        if s_kind[j] is null then v_keep := v_keep || j; end if;
      end loop;
      v_open := v_keep;
      if v_kind in ('exercise', 'assignment') then
        -- the option's own result moves into the stock fill (added to a sale's proceeds,
        -- taken off a purchase's cost); the option part shows no gain
        v_folds := v_folds || jsonb_build_object(f.account || ' ' || f.stock_exec_id,
                                                 coalesce((v_folds ->> (f.account || ' ' || f.stock_exec_id))::numeric, 0) + v_net);
      end if;
    end if;

    if q > 0 then
      -- what is left opens a lot: long for a buy, short for a sale
      n := n + 1;
      s_acct[n] := f.account; s_tp[n] := f.taxpayer; s_ira[n] := f.ira; s_con[n] := f.con_id; s_sym[n] := f.symbol; s_sec[n] := f.sec_type;
      s_cur[n] := f.currency; s_mult[n] := f.multiplier; s_1256[n] := f.is_1256; s_lot[n] := f.exec_id; s_origin[n] := f.account || ' ' || f.origin;
      s_short[n] := f.side = 'SELL'; s_qty[n] := q; s_acq[n] := f.trade_date; s_acq_at[n] := f.fill_time; s_openv[n] := v_left; s_open[n] := v_left;
      s_kind[n] := null; s_cexec[n] := null; s_cat[n] := null; s_cdate[n] := null; s_close[n] := null;
      s_adj[n] := 0; s_start[n] := null; s_wfrom[n] := null; s_dis[n] := 0; s_lost[n] := 0; s_used[n] := false; s_fold[n] := null;
      v_open := v_open || n;
    end if;
  end loop;

  return query
    select u.slice::integer, u.account, u.taxpayer, u.ira, u.con_id, u.symbol, u.sec_type, u.currency, trim_scale(u.multiplier), u.section_1256,
           u.lot_id, u.short, trim_scale(u.quantity), u.acquired_date, u.acquired_at, trim_scale(u.unmarked_amount), trim_scale(u.open_amount),
           u.kind, u.close_exec_id, u.closed_at, u.close_date, trim_scale(u.close_amount), trim_scale(u.wash_adjustment), u.adjusted_start,
           u.wash_from_exec_id, trim_scale(u.disallowed_loss), trim_scale(u.disallowed_to_ira), u.replacement, u.folded_into_exec_id
      from unnest(s_acct, s_tp, s_ira, s_con, s_sym, s_sec, s_cur, s_mult, s_1256, s_lot, s_short, s_qty, s_acq, s_acq_at, s_openv, s_open,
                  s_kind, s_cexec, s_cat, s_cdate, s_close, s_adj, s_start, s_wfrom, s_dis, s_lost, s_used, s_fold)
           with ordinality u(account, taxpayer, ira, con_id, symbol, sec_type, currency, multiplier, section_1256, lot_id, short, quantity,
                             acquired_date, acquired_at, unmarked_amount, open_amount, kind, close_exec_id, closed_at, close_date, close_amount,
                             wash_adjustment, adjusted_start, wash_from_exec_id, disallowed_loss, disallowed_to_ira, replacement,
                             folded_into_exec_id, slice);
end
$$;
comment on function reports.tax_engine() is 'The tax lot engine: every lot part (slice) of every account, with how it closed, wash sales applied and §1256 year-end marks; reports.tax_lots, realized_gains, form_8949 and section_1256 read it.';

-- The engine runs over all history (about 6 s per 100,000 fills): its output is
-- materialized once per refresh (after reports.fills, which it reads) and the tax reports
-- read that.
-- Not in the refresh fills ask for every minute (the engine is the costliest report, and tax
-- figures are not needed by the minute): statements, the close, the nightly run and a
-- refresh by hand bring it up to date.
select reports.materialize('tax_slices', 60, 'select * from reports.tax_engine()', array['slice'], array['account, con_id', 'account, close_date'], false);
comment on materialized view reports.tax_slices is 'The tax lot engine''s output (reports.tax_engine), as of the last refresh: every lot part of every account and how it closed. reports.tax_lots, realized_gains, form_8949 and section_1256 read it.';
do $$
declare c record;
begin
  for c in select * from (values
    ('slice', 'Index of the lot part in this refresh''s engine run (not stable across refreshes)'), ('account', 'IB account'),
    ('taxpayer', 'Taxpayer group (reports.tax_accounts; the account itself by default)'), ('ira', 'The account is an IRA'),
    ('con_id', 'IB contract id'), ('symbol', 'Symbol'), ('sec_type', 'STK, OPT, FUT, ...'), ('currency', 'Trade currency'),
    ('multiplier', 'Contract multiplier'), ('section_1256', 'A Section 1256 contract (futures, index options)'),
    ('lot_id', 'Execution id of the fill that opened the lot'), ('short', 'A short lot (sold first)'), ('quantity', 'Quantity of this part'),
    ('acquired_date', 'Trade date the lot was opened (New York)'), ('acquired_at', 'When the lot was opened'),
    ('unmarked_amount', 'Opening amount before any year-end mark (long: cost with commission; short: proceeds)'),
    ('open_amount', 'Opening amount now (a marked Section 1256 part: the mark''s value)'),
    ('kind', 'How the part closed: sale, cover, expiry, exercise, assignment, mark, mark_missing; NULL while open'),
    ('close_exec_id', 'Execution id of the closing fill'), ('closed_at', 'When it closed'), ('close_date', 'Trade date it closed (New York)'),
    ('close_amount', 'Closing amount (long: proceeds net of commission; short: cost)'), ('wash_adjustment', 'Disallowed loss added to this part''s basis'),
    ('adjusted_start', 'Holding period start carried over from a washed lot'), ('wash_from_exec_id', 'The loss sale whose loss this part received'),
    ('disallowed_loss', 'Loss of this part disallowed by a wash sale'), ('disallowed_to_ira', 'Of which washed into an IRA: lost for good'),
    ('replacement', 'Used as a wash-sale replacement (once only)'), ('folded_into_exec_id', 'An exercised or assigned option part: the stock fill its premium went into')) x(col, doc) loop
    execute format('comment on column reports.tax_slices.%I is %L', c.col, c.doc);
  end loop;
end
$$;

-- Every lot part. A lot is the quantity one fill opened; it splits into parts as sales close
-- some of it, as a wash sale takes part of it as a replacement, and as §1256 year ends mark it.
create or replace function reports.tax_lots_all()
returns table (account text, con_id bigint, symbol text, sec_type text, currency text, lot_id text, part integer, direction text, quantity numeric,
               acquired_date date, adjusted_acquired_date date, status text, closed_by text, close_exec_id text, close_date date,
               basis numeric, wash_adjustment numeric, adjusted_basis numeric, proceeds numeric, unmarked_amount numeric,
               wash_from_exec_id text, disallowed_loss numeric, folded_into_exec_id text, section_1256 boolean, taxpayer text, ira boolean,
               acquired_at timestamptz, closed_at timestamptz)
language sql stable security definer set search_path = '' rows 100000 as $$
  select e.account, e.con_id, e.symbol, e.sec_type, e.currency, e.lot_id,
         (row_number() over (partition by e.account, e.con_id, e.lot_id order by e.closed_at nulls last, e.slice))::integer,
         case when e.short then 'short' else 'long' end, e.quantity, e.acquired_date, coalesce(e.adjusted_start, e.acquired_date),
         case when e.kind is null then 'open' else 'closed' end, e.kind, e.close_exec_id, e.close_date,
         case when e.short then e.close_amount else e.open_amount end, e.wash_adjustment,
         case when e.short then e.close_amount else e.open_amount end + e.wash_adjustment,
         case when e.short then e.open_amount else e.close_amount end, e.unmarked_amount,
         e.wash_from_exec_id, case when e.kind is not null then e.disallowed_loss end, e.folded_into_exec_id, e.section_1256, e.taxpayer, e.ira,
         e.acquired_at, e.closed_at
    from reports.tax_slices e
   where e.kind is distinct from 'mark_missing'
$$;
comment on function reports.tax_lots_all() is 'Every tax lot part of every account, open and closed (reports.tax_lots).';

create or replace view reports.tax_lots as select * from reports.tax_lots_all();
comment on view reports.tax_lots is 'Tax lots: the quantity each fill opened (a long lot for a buy, a short lot for a sale beyond the position), in parts as sales close it (by the account''s lot method, reports.tax_accounts), as wash sales take part of it as a replacement and as Section 1256 year ends mark it. Amounts in the trade currency, exact.';
comment on column reports.tax_lots.account is 'IB account';
comment on column reports.tax_lots.con_id is 'IB contract id';
comment on column reports.tax_lots.symbol is 'Symbol';
comment on column reports.tax_lots.sec_type is 'STK, OPT, FUT, FOP, ...';
comment on column reports.tax_lots.currency is 'Trade currency (every amount is in it)';
comment on column reports.tax_lots.lot_id is 'Execution id of the fill that opened the lot (what order_submitted.tax_lots names)';
comment on column reports.tax_lots.part is 'Part number within the lot: closed parts in the order they closed, then the open part';
comment on column reports.tax_lots.direction is 'long (opened by a buy) or short (opened by a sale beyond the position)';
comment on column reports.tax_lots.quantity is 'Quantity of this part (shares or contracts), positive';
comment on column reports.tax_lots.acquired_date is 'New York trade date of the opening fill';
comment on column reports.tax_lots.adjusted_acquired_date is 'Start of the holding period: acquired_date, or for a wash sale replacement acquired_date minus the days the washed lot was held (IRC §1223(3)); ST/LT is counted from it';
comment on column reports.tax_lots.status is 'open or closed';
comment on column reports.tax_lots.closed_by is 'How the part closed: sale (a sell closing a long), cover (a buy closing a short), expiry (IB code Ep), exercise or assignment (IB code Ex or A, premium folded into the stock fill), mark (Section 1256 year-end mark to market); NULL while open';
comment on column reports.tax_lots.close_exec_id is 'Execution id of the closing fill (NULL for a year-end mark)';
comment on column reports.tax_lots.close_date is 'New York trade date of the closing fill, or the statement date of a year-end mark';
comment on column reports.tax_lots.basis is 'Cost before wash adjustments: long, quantity x price x multiplier + its share of the opening commission (- an exercised/assigned option''s result folded in; for a marked §1256 contract, the last year-end mark value); short, the cost to cover (+ commission), NULL while open';
comment on column reports.tax_lots.wash_adjustment is 'Disallowed loss of a washed sale this part received as a replacement, added to its basis';
comment on column reports.tax_lots.adjusted_basis is 'basis + wash_adjustment';
comment on column reports.tax_lots.proceeds is 'Long: the sale''s proceeds for this part (quantity x price x multiplier - its share of the sale''s commission, + a folded option result), NULL while open; short: the short sale''s proceeds';
comment on column reports.tax_lots.unmarked_amount is 'The opening amount before any Section 1256 year-end mark (long: cost; short: proceeds); equals basis (long) or proceeds (short) when never marked';
comment on column reports.tax_lots.wash_from_exec_id is 'For a replacement: execution id of the loss sale whose disallowed loss it received';
comment on column reports.tax_lots.disallowed_loss is 'For a closed part sold at a loss: the loss disallowed as a wash sale (0 if none); NULL while open';
comment on column reports.tax_lots.folded_into_exec_id is 'For an option part closed by exercise or assignment: the stock fill its premium went into';
comment on column reports.tax_lots.section_1256 is 'A Section 1256 contract (FUT, FOP, options on an index): marked to market, 60/40, no wash sales, always FIFO';
comment on column reports.tax_lots.taxpayer is 'Taxpayer (reports.tax_accounts; the account when not set): wash sales match across the taxpayer''s accounts';
comment on column reports.tax_lots.ira is 'The account is an IRA (reports.tax_accounts)';
comment on column reports.tax_lots.acquired_at is 'Time of the opening fill';
comment on column reports.tax_lots.closed_at is 'Time of the closing fill (a year-end mark: 16:00 New York of its date)';

-- One row per lot part a fill (or a year-end mark) closed: the lot sale.
create or replace function reports.realized_gains_all()
returns table (account text, tax_year integer, con_id bigint, symbol text, sec_type text, currency text, quantity numeric, date_acquired date,
               date_sold date, proceeds numeric, cost_basis numeric, wash_sale_loss_disallowed numeric, gain numeric, term text,
               section_1256 boolean, kind text, direction text, lot_id text, close_exec_id text, lot_acquired_date date, wash_adjustment numeric,
               disallowed_to_ira numeric, taxpayer text, ira boolean, multiplier numeric, closed_at timestamptz)
language sql stable security definer set search_path = '' rows 100000 as $$
  select e.account, extract(year from e.close_date)::integer, e.con_id, e.symbol, e.sec_type, e.currency, e.quantity,
         case when e.short then e.close_date else coalesce(e.adjusted_start, e.acquired_date) end,
         e.close_date, b.proceeds, b.cost_basis, e.disallowed_loss, b.proceeds - b.cost_basis + e.disallowed_loss,
         case when e.section_1256 then '60/40'
              when not e.short and e.close_date > coalesce(e.adjusted_start, e.acquired_date) + interval '1 year' then 'LT' else 'ST' end,
         e.section_1256, e.kind, case when e.short then 'short' else 'long' end, e.lot_id, e.close_exec_id, e.acquired_date,
         e.wash_adjustment, e.disallowed_to_ira, e.taxpayer, e.ira, e.multiplier, e.closed_at
    from reports.tax_slices e
   cross join lateral (select case when e.short then e.open_amount else e.close_amount end as proceeds,
                              case when e.short then e.close_amount else e.open_amount end + e.wash_adjustment as cost_basis) b
   where e.kind in ('sale', 'cover', 'expiry', 'mark')
$$;
comment on function reports.realized_gains_all() is 'Realized gains: one row per lot part closed by a fill or a Section 1256 year-end mark (reports.realized_gains).';

create or replace view reports.realized_gains as select * from reports.realized_gains_all();
comment on view reports.realized_gains is 'Realized gains and losses for US tax: one row per lot sale (a closing fill x the lot part it closes, or a Section 1256 year-end mark), with wash sales applied. Exercised and assigned options have no row: their premium is in the stock''s basis or proceeds. Amounts in the trade currency, exact.';
comment on column reports.realized_gains.account is 'IB account';
comment on column reports.realized_gains.tax_year is 'Year of date_sold (the trade date, not settlement)';
comment on column reports.realized_gains.con_id is 'IB contract id';
comment on column reports.realized_gains.symbol is 'Symbol';
comment on column reports.realized_gains.sec_type is 'STK, OPT, FUT, FOP, ...';
comment on column reports.realized_gains.currency is 'Trade currency (every amount is in it)';
comment on column reports.realized_gains.quantity is 'Quantity sold (shares or contracts)';
comment on column reports.realized_gains.date_acquired is 'Long: the lot''s adjusted acquisition date (a wash replacement''s carries the washed lot''s holding period); short: the date the short was covered (Form 8949 instructions)';
comment on column reports.realized_gains.date_sold is 'New York trade date of the closing fill (for a short, the cover); a year-end mark''s statement date';
comment on column reports.realized_gains.proceeds is 'Long: quantity x price x multiplier - the sale''s commission pro rata (+ a folded option premium); short: the short sale''s proceeds';
comment on column reports.realized_gains.cost_basis is 'Adjusted basis: cost + opening commission pro rata (+ folded option result) + wash adjustment received; for a §1256 contract marked at a year end, that mark''s value';
comment on column reports.realized_gains.wash_sale_loss_disallowed is 'Loss disallowed as a wash sale (positive; Form 8949 column (g), code W); 0 if none';
comment on column reports.realized_gains.gain is 'proceeds - cost_basis + wash_sale_loss_disallowed (Form 8949 column (h))';
comment on column reports.realized_gains.term is 'ST or LT: LT when date_sold is more than one year after date_acquired (counted from the day after, by trade dates); shorts are ST; 60/40 for Section 1256 contracts';
comment on column reports.realized_gains.section_1256 is 'A Section 1256 contract: goes to Form 6781 (reports.section_1256), not Form 8949';
comment on column reports.realized_gains.kind is 'sale (long closed), cover (short closed), expiry (IB code Ep), mark (Section 1256 year-end mark to market)';
comment on column reports.realized_gains.direction is 'long or short';
comment on column reports.realized_gains.lot_id is 'Execution id of the fill that opened the lot';
comment on column reports.realized_gains.close_exec_id is 'Execution id of the closing fill (NULL for a year-end mark)';
comment on column reports.realized_gains.lot_acquired_date is 'Trade date of the fill that opened the lot (before any wash sale carry-over)';
comment on column reports.realized_gains.wash_adjustment is 'Part of cost_basis that is disallowed loss received from an earlier wash sale';
comment on column reports.realized_gains.disallowed_to_ira is 'Part of the disallowed loss washed into an IRA purchase: lost for good, no basis increase';
comment on column reports.realized_gains.taxpayer is 'Taxpayer (reports.tax_accounts; the account when not set)';
comment on column reports.realized_gains.ira is 'The account is an IRA: not reported';
comment on column reports.realized_gains.multiplier is 'Contract multiplier';
comment on column reports.realized_gains.closed_at is 'Time of the closing fill (a year-end mark: 16:00 New York of its date)';

-- Form 8949: the realized gains that are not Section 1256 contracts, of taxable accounts.
create or replace function reports.form_8949_all()
returns table (account text, tax_year integer, part text, box text, description text, date_acquired date, date_sold date, proceeds numeric,
               cost_basis numeric, code text, adjustment numeric, gain numeric, proceeds_cents numeric, cost_basis_cents numeric,
               adjustment_cents numeric, gain_cents numeric, term text, con_id bigint, lot_id text, close_exec_id text, currency text, taxpayer text)
language sql stable security definer set search_path = '' rows 100000 as $$
  select g.account, g.tax_year, case g.term when 'LT' then 'II' else 'I' end, case g.term when 'LT' then 'D' else 'A' end,
         g.quantity || case when g.sec_type = 'STK' then ' sh ' else ' ' end || g.symbol
           || case when g.sec_type not in ('STK') then ' ' || g.sec_type else '' end,
         g.date_acquired, g.date_sold, g.proceeds, g.cost_basis, case when g.wash_sale_loss_disallowed > 0 then 'W' end,
         case when g.wash_sale_loss_disallowed > 0 then g.wash_sale_loss_disallowed end, g.gain,
         round(g.proceeds, 2), round(g.cost_basis, 2), case when g.wash_sale_loss_disallowed > 0 then round(g.wash_sale_loss_disallowed, 2) end,
         round(g.proceeds, 2) - round(g.cost_basis, 2) + round(g.wash_sale_loss_disallowed, 2),
         g.term, g.con_id, g.lot_id, g.close_exec_id, g.currency, g.taxpayer
    from reports.realized_gains_all() g
   where not g.section_1256 and not g.ira
$$;
comment on function reports.form_8949_all() is 'Form 8949 rows: realized gains of taxable accounts, Section 1256 contracts left out (reports.form_8949).';

create or replace view reports.form_8949 as select * from reports.form_8949_all();
comment on view reports.form_8949 is 'Form 8949 rows, one per lot sale (no VARIOUS rows): realized gains of taxable accounts without Section 1256 contracts (Form 6781: reports.section_1256). Part I short-term, Part II long-term; box A/D assumes a 1099-B that reports the basis (covered securities). Amounts exact in the trade currency, and rounded to cents.';
comment on column reports.form_8949.account is 'IB account';
comment on column reports.form_8949.tax_year is 'Tax year: the year of the sale''s trade date';
comment on column reports.form_8949.part is 'I (short-term) or II (long-term)';
comment on column reports.form_8949.box is 'A (Part I) or D (Part II): reported on a 1099-B with the basis, as IB reports covered securities; C/F or B/E are for the preparer to choose when that is not so';
comment on column reports.form_8949.description is '(a) Description: quantity, "sh" for shares, symbol (and the security type if not stock), e.g. 100 sh AAPL';
comment on column reports.form_8949.date_acquired is '(b) Date acquired: the lot''s adjusted acquisition date; for a short sale, the date covered';
comment on column reports.form_8949.date_sold is '(c) Date sold or disposed of (trade date)';
comment on column reports.form_8949.proceeds is '(d) Proceeds, net of the sale''s commission, exact';
comment on column reports.form_8949.cost_basis is '(e) Cost or other basis, with commissions and wash adjustments received, exact';
comment on column reports.form_8949.code is '(f) Code: W for a wash sale, else NULL';
comment on column reports.form_8949.adjustment is '(g) Adjustment: the wash sale loss disallowed, positive; NULL when none';
comment on column reports.form_8949.gain is '(h) Gain or loss = (d) - (e) + (g), exact';
comment on column reports.form_8949.proceeds_cents is '(d) rounded to cents (half away from zero)';
comment on column reports.form_8949.cost_basis_cents is '(e) rounded to cents';
comment on column reports.form_8949.adjustment_cents is '(g) rounded to cents';
comment on column reports.form_8949.gain_cents is '(h) from the rounded amounts: proceeds_cents - cost_basis_cents + adjustment_cents, so the row adds up as printed';
comment on column reports.form_8949.term is 'ST or LT (reports.realized_gains.term)';
comment on column reports.form_8949.con_id is 'IB contract id';
comment on column reports.form_8949.lot_id is 'Execution id of the fill that opened the lot';
comment on column reports.form_8949.close_exec_id is 'Execution id of the closing fill';
comment on column reports.form_8949.currency is 'Currency of the amounts (the trade currency; not converted to USD)';
comment on column reports.form_8949.taxpayer is 'Taxpayer (reports.tax_accounts; the account when not set)';

-- Form 6781 Part I per account and tax year, as a 1099-B reports it: realized profit on
-- contracts closed (box 8, against their cost), minus the unrealized profit at the end of
-- last year (box 9: it was taxed then), plus the unrealized profit at the end of this year
-- (box 10); 60 % long-term, 40 % short-term.
create or replace function reports.section_1256_all()
returns table (account text, tax_year integer, realized numeric, prior_year_unrealized numeric, year_end_unrealized numeric, total numeric,
               long_term_60 numeric, short_term_40 numeric, marks_missing integer, missing_con_ids bigint[], currency text)
language sql stable security definer set search_path = '' rows 1000 as $$
  with e as (
    select x.*, extract(year from x.close_date)::integer as yr,
           case when x.short then x.unmarked_amount - x.close_amount else x.close_amount - x.unmarked_amount end as against_cost
      from reports.tax_slices x
     where x.section_1256 and not x.ira and x.kind in ('sale', 'cover', 'expiry', 'mark', 'mark_missing')
  ),
  y as (
    select e.account, e.currency, e.yr as tax_year from e
    union select e.account, e.currency, e.yr + 1 from e where e.kind = 'mark'
  ),
  s as (
    select y.account, y.tax_year, y.currency,
           coalesce(sum(e.against_cost) filter (where e.yr = y.tax_year and e.kind in ('sale', 'cover', 'expiry')), 0) as realized,
           coalesce(sum(e.against_cost) filter (where e.yr = y.tax_year - 1 and e.kind = 'mark'), 0) as prior,
           coalesce(sum(e.against_cost) filter (where e.yr = y.tax_year and e.kind = 'mark'), 0) as year_end,
           (count(*) filter (where e.yr = y.tax_year and e.kind = 'mark_missing'))::integer as missing,
           array_agg(distinct e.con_id) filter (where e.yr = y.tax_year and e.kind = 'mark_missing') as missing_ids
      from y join e on e.account = y.account and e.currency = y.currency and e.yr in (y.tax_year, y.tax_year - 1)
     group by y.account, y.tax_year, y.currency
  )
  select s.account, s.tax_year, trim_scale(s.realized), trim_scale(s.prior), trim_scale(s.year_end),
         trim_scale(s.realized - s.prior + s.year_end), trim_scale((s.realized - s.prior + s.year_end) * 0.6),
         trim_scale((s.realized - s.prior + s.year_end) * 0.4), s.missing, coalesce(s.missing_ids, '{}'), s.currency
    from s
$$;
comment on function reports.section_1256_all() is 'Section 1256 contracts per account and tax year, as Form 6781 Part I wants them (reports.section_1256).';

create or replace view reports.section_1256 as select * from reports.section_1256_all();
comment on view reports.section_1256 is 'Section 1256 contracts (futures, options on futures, options on an index) per account, tax year and currency: the 1099-B boxes 8, 9, 10 and 11 and Form 6781''s 60/40 split. Open contracts are marked to market at the mark of the account''s last statement of the year (ledger.flex_positions); where there is none, marks_missing says so and the contract keeps its basis.';
comment on column reports.section_1256.account is 'IB account';
comment on column reports.section_1256.tax_year is 'Tax year';
comment on column reports.section_1256.realized is 'Realized profit or loss on contracts closed this year, against their cost before any year-end mark (1099-B box 8)';
comment on column reports.section_1256.prior_year_unrealized is 'Unrealized profit or loss on contracts open at the end of last year, against their cost (box 9): taxed last year, so subtracted';
comment on column reports.section_1256.year_end_unrealized is 'Unrealized profit or loss on contracts open at the end of this year: the year''s last mark against their cost (box 10)';
comment on column reports.section_1256.total is 'realized - prior_year_unrealized + year_end_unrealized (box 11; Form 6781 line 1)';
comment on column reports.section_1256.long_term_60 is '60 % of total: long-term whatever the holding period (Form 6781 line 9)';
comment on column reports.section_1256.short_term_40 is '40 % of total: short-term (Form 6781 line 8)';
comment on column reports.section_1256.marks_missing is 'Open contracts at this year end with no statement mark (their unrealized result is not in total; they keep their basis): import the year''s last Activity statement';
comment on column reports.section_1256.missing_con_ids is 'Contract ids of the contracts counted in marks_missing';
comment on column reports.section_1256.currency is 'Currency of the amounts (the trade currency; not converted to USD)';
