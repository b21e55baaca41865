-- Cash per currency and net liquidation (the bot's latest account_snapshot against IB's
-- latest CashBalance per currency and NetLiquidation), and P&L (the bot's latest
-- account-level pnl against IB's latest reqPnL update). Read as of p_as_of.

create or replace function recon.check_cash(p_account text, p_as_of timestamptz) returns setof recon.finding
language plpgsql stable security definer set search_path = '' as $$
declare
  v_bot jsonb;
begin
  select e.payload into v_bot from ledger.events e
   where e.event_type = 'account_snapshot' and e.account = p_account and e.recorded_at <= p_as_of
   order by e.occurred_at desc, e.seq desc limit 1;
  if v_bot is null or not exists (select 1 from ledger.events e where e.event_type in ('ib_account_value', 'ib_account_summary')
                                    and e.account = p_account and e.recorded_at <= p_as_of
                                    and coalesce(e.payload ->> 'key', e.payload ->> 'tag') in ('CashBalance', 'TotalCashValue')) then
    return query select 'cash'::text, '*'::text, 'cash.not_compared'::text, 'skipped'::text, 0::numeric,
      jsonb_build_object('reason', case when v_bot is null then 'no account_snapshot from the bot recorded by then' else 'no account values from IB recorded by then' end), null::jsonb;
    return;
  end if;
  return query
  with ib_values as (
    select distinct on (coalesce(e.payload ->> 'key', e.payload ->> 'tag'), e.payload ->> 'currency')
           coalesce(e.payload ->> 'key', e.payload ->> 'tag') as key, e.payload ->> 'currency' as currency, ledger.to_numeric(e.payload ->> 'value') as value
      from ledger.events e
     where e.event_type in ('ib_account_value', 'ib_account_summary') and e.account = p_account and e.recorded_at <= p_as_of
       and coalesce(e.payload ->> 'key', e.payload ->> 'tag') in ('CashBalance', 'TotalCashValue', 'NetLiquidation')
     order by coalesce(e.payload ->> 'key', e.payload ->> 'tag'), e.payload ->> 'currency', e.seq desc
  ),
  -- Cash per currency (CashBalance, from account updates); without those, the summary's
  -- TotalCashValue stands for the base currency.
  ib_cash as (
    select currency, value from ib_values where key = 'CashBalance' and currency ~ '^[A-Z]{3}$' and currency <> 'BASE'
    union all
    select currency, value from ib_values
     where key = 'TotalCashValue' and currency = v_bot ->> 'base_currency'
       and not exists (select 1 from ib_values x where x.key = 'CashBalance' and x.currency ~ '^[A-Z]{3}$' and x.currency <> 'BASE')
  ),
  bot_cash as (
    select x.item ->> 'currency' as currency, sum(ledger.to_numeric(x.item ->> 'amount')) as value
      from jsonb_array_elements(case when jsonb_typeof(v_bot -> 'cash') = 'array' then v_bot -> 'cash' else '[]' end) as x(item)
     group by 1
  ),
  cash as (
    select coalesce(i.currency, b.currency) as currency, coalesce(i.value, 0) as ib, coalesce(b.value, 0) as bot
      from ib_cash i full join bot_cash b on b.currency = i.currency
  ),
  netliq as (
    select (select value from ib_values where key = 'NetLiquidation' and currency = v_bot ->> 'base_currency' limit 1) as ib,
           ledger.to_numeric(v_bot ->> 'net_liquidation') as bot
  )
  select 'cash', c.currency,
         case when not recon.within('cash.amount', null, c.bot, c.ib) then 'cash.mismatch'
              when c.bot = c.ib then 'cash.matched' else 'cash.matched_within_tolerance' end,
         case when not recon.within('cash.amount', null, c.bot, c.ib) then 'discrepancy' when c.bot = c.ib then 'matched' else 'within_tolerance' end,
         abs(c.bot - c.ib),
         jsonb_build_object('fields', case when c.bot = c.ib then '[]'::jsonb else
           jsonb_build_array(jsonb_build_object('field', 'cash.' || c.currency, 'broker', c.ib, 'bot', c.bot, 'difference', c.bot - c.ib)) end),
         null::jsonb
    from cash c
  union all
  select 'account', 'net_liquidation',
         case when not recon.within('account.net_liquidation', null, n.bot, n.ib) then 'account.net_liquidation_mismatch'
              when n.bot = n.ib then 'account.matched' else 'account.matched_within_tolerance' end,
         case when not recon.within('account.net_liquidation', null, n.bot, n.ib) then 'discrepancy' when n.bot = n.ib then 'matched' else 'within_tolerance' end,
         abs(n.bot - n.ib),
         jsonb_build_object('fields', case when n.bot = n.ib then '[]'::jsonb else
           jsonb_build_array(jsonb_build_object('field', 'net_liquidation', 'broker', n.ib, 'bot', n.bot, 'difference', n.bot - n.ib)) end),
         null::jsonb
    from netliq n where n.ib is not null and n.bot is not null;
end
$$;

create or replace function recon.check_pnl(p_account text, p_as_of timestamptz) returns setof recon.finding
language sql stable security definer set search_path = '' as $$
  with bot as (
    select ledger.to_numeric(e.payload ->> 'daily') as daily, ledger.to_numeric(e.payload ->> 'realized') as realized,
           ledger.to_numeric(e.payload ->> 'unrealized') as unrealized
      from ledger.events e
     where e.event_type = 'pnl' and e.account = p_account and e.recorded_at <= p_as_of and not (e.payload ? 'contract')
     order by e.occurred_at desc, e.seq desc limit 1
  ),
  ib as (
    select ledger.to_numeric(e.payload ->> 'daily') as daily, ledger.to_numeric(e.payload ->> 'realized') as realized,
           ledger.to_numeric(e.payload ->> 'unrealized') as unrealized
      from ledger.events e
     where e.event_type = 'ib_pnl' and e.account = p_account and e.recorded_at <= p_as_of
     order by e.seq desc limit 1
  ),
  f as (
    select x.field, x.bot, x.ib, x.bot is null or x.ib is null or recon.within('pnl.' || x.field, null, x.bot, x.ib) as ok
      from bot, ib, lateral (values ('daily', bot.daily, ib.daily), ('realized', bot.realized, ib.realized), ('unrealized', bot.unrealized, ib.unrealized)) as x(field, bot, ib)
  )
  select 'pnl', 'account',
         case when bool_and(f.ok) then case when bool_and(f.bot is not distinct from f.ib or f.bot is null or f.ib is null) then 'pnl.matched' else 'pnl.matched_within_tolerance' end else 'pnl.mismatch' end,
         case when bool_and(f.ok) then case when bool_and(f.bot is not distinct from f.ib or f.bot is null or f.ib is null) then 'matched' else 'within_tolerance' end else 'discrepancy' end,
         coalesce(max(abs(f.bot - f.ib)) filter (where not f.ok), 0),
         jsonb_build_object('fields', coalesce(jsonb_agg(jsonb_build_object('field', f.field, 'broker', f.ib, 'bot', f.bot, 'difference', f.bot - f.ib))
                                              filter (where f.bot is distinct from f.ib and f.bot is not null and f.ib is not null), '[]')),
         null::jsonb
    from f
  having count(*) > 0
$$;
