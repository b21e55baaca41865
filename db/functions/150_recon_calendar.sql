-- The NYSE calendar: which days the exchange trades and when, by rules computed for any
-- year plus recon.calendar_overrides (which wins). Reconciliation schedules read it
-- (agent/jobs/schedule.ts); session times are timestamptz, converted from New York local
-- time by PostgreSQL's time zone data, so daylight saving is never done by hand.
--
-- The rules are the NYSE's since 2013 (NYSE Rule 7.2 and its yearly holiday notices), with
-- the older variants the rules know about stated where they apply. Checked against the
-- NYSE's published calendars for 2020-2028 in test/recon.calendar.test.ts. Years before
-- 1998 had other holidays (election days, Lincoln's Birthday, ...) that are not modelled.

-- Easter Sunday (Gregorian), by the anonymous algorithm (Meeus/Jones/Butcher): valid for
-- every Gregorian year. Good Friday is two days before.
create or replace function recon.easter_sunday(p_year integer) returns date
language sql immutable strict parallel safe
as $$
  select pg_catalog.make_date(p_year, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1)
    from (select p_year % 19 as a, p_year / 100 as b, p_year % 100 as c) s1,
         lateral (select b / 4 as d, b % 4 as e, (b + 8) / 25 as f) s2,
         lateral (select (b - f + 1) / 3 as g) s3,
         lateral (select (19 * a + b - d - g + 15) % 30 as h, c / 4 as i, c % 4 as k) s4,
         lateral (select (32 + 2 * e + 2 * i - h - k) % 7 as l) s5,
         lateral (select (a + 11 * h + 22 * l) / 451 as m) s6
$$;

comment on function recon.easter_sunday(integer) is 'Easter Sunday of a Gregorian year (anonymous algorithm).';

-- The n-th (1-5) given ISO weekday (1 = Monday) of a month; NULL when n is out of range or
-- the month has no such day (a fifth Monday).
create or replace function recon.nth_weekday(p_year integer, p_month integer, p_isodow integer, p_n integer) returns date
language sql immutable strict parallel safe
as $$
  select case when p_n between 1 and 5 and p_isodow between 1 and 7 then d end
    from (select pg_catalog.make_date(p_year, p_month, 1) as first) f,
         lateral (select f.first + (p_isodow - extract(isodow from f.first)::integer + 7) % 7 + 7 * (p_n - 1) as d) x
   where extract(month from x.d) = p_month
$$;

-- The last given ISO weekday of a month (Memorial Day: the last Monday of May).
create or replace function recon.last_weekday(p_year integer, p_month integer, p_isodow integer) returns date
language sql immutable strict parallel safe
as $$
  select case when p_isodow between 1 and 7 then l.last - (extract(isodow from l.last)::integer - p_isodow + 7) % 7 end
    from (select (pg_catalog.make_date(p_year, p_month, 1) + interval '1 month' - interval '1 day')::date as last) l
$$;

-- A fixed-date holiday falling on a weekend is observed on the Friday before (Saturday) or
-- the Monday after (Sunday). New Year's Day is the exception: see recon.nyse_holidays.
create or replace function recon.observed_date(p_day date) returns date
language sql immutable strict parallel safe
as $$
  select case extract(isodow from p_day)::integer when 6 then p_day - 1 when 7 then p_day + 1 else p_day end
$$;

-- The full-day holidays of a year by rule, on the day the exchange observes them.
--   New Year's Day    Jan 1; Sunday -> Monday Jan 2; Saturday -> no holiday at all: NYSE
--                     Rule 7.2 does not close the Friday before when that Friday ends a
--                     yearly accounting period (2022 and 2028 have no New Year holiday).
--   Martin Luther King, Jr. Day   3rd Monday of January, observed by the NYSE since 1998.
--   Washington's Birthday         3rd Monday of February (since 1971).
--   Good Friday       two days before Easter Sunday. (The NYSE has traded on a Good Friday
--                     in the distant past, 1898, 1906, 1907: not modelled.)
--   Memorial Day      last Monday of May.
--   Juneteenth National Independence Day   June 19 from 2022 (first observed Monday
--                     2022-06-20), Saturday -> Friday, Sunday -> Monday.
--   Independence Day  July 4, Saturday -> Friday, Sunday -> Monday.
--   Labor Day         1st Monday of September.
--   Thanksgiving Day  4th Thursday of November.
--   Christmas Day     Dec 25, Saturday -> Friday, Sunday -> Monday.
create or replace function recon.nyse_holidays(p_year integer) returns table (day date, name text)
language sql immutable strict parallel safe
as $$
  select h.day, h.name || case when h.day <> h.actual then ' (observed)' else '' end
    from (values
      (case extract(isodow from pg_catalog.make_date(p_year, 1, 1))::integer
         when 6 then null
         when 7 then pg_catalog.make_date(p_year, 1, 2)
         else pg_catalog.make_date(p_year, 1, 1) end,
       pg_catalog.make_date(p_year, 1, 1), 'New Year''s Day'),
      (case when p_year >= 1998 then recon.nth_weekday(p_year, 1, 1, 3) end, recon.nth_weekday(p_year, 1, 1, 3), 'Martin Luther King, Jr. Day'),
      (recon.nth_weekday(p_year, 2, 1, 3), recon.nth_weekday(p_year, 2, 1, 3), 'Washington''s Birthday'),
      (recon.easter_sunday(p_year) - 2, recon.easter_sunday(p_year) - 2, 'Good Friday'),
      (recon.last_weekday(p_year, 5, 1), recon.last_weekday(p_year, 5, 1), 'Memorial Day'),
      (case when p_year >= 2022 then recon.observed_date(pg_catalog.make_date(p_year, 6, 19)) end,
       pg_catalog.make_date(p_year, 6, 19), 'Juneteenth National Independence Day'),
      (recon.observed_date(pg_catalog.make_date(p_year, 7, 4)), pg_catalog.make_date(p_year, 7, 4), 'Independence Day'),
      (recon.nth_weekday(p_year, 9, 1, 1), recon.nth_weekday(p_year, 9, 1, 1), 'Labor Day'),
      (recon.nth_weekday(p_year, 11, 4, 4), recon.nth_weekday(p_year, 11, 4, 4), 'Thanksgiving Day'),
      (recon.observed_date(pg_catalog.make_date(p_year, 12, 25)), pg_catalog.make_date(p_year, 12, 25), 'Christmas Day')
    ) as h (day, actual, name)
   where h.day is not null
$$;

comment on function recon.nyse_holidays(integer) is
  'The NYSE full-day holidays of a year by rule, on their observed dates (no overrides applied; see recon.market_session).';

-- The early closes (13:00 New York) of a year by rule:
--   the day before Independence Day: July 3 when it is a weekday and not itself the
--     observed holiday (so Monday-Thursday; when July 4 is a Saturday, July 3 is the
--     holiday and July 2 trades a full day, as in 2020 and 2026). Before 2013 a Wednesday
--     July 3 was a full day and the Friday July 5 after a Thursday holiday closed early
--     instead (2002); the NYSE changed that in 2013;
--   the day after Thanksgiving (a Friday);
--   Christmas Eve: December 24 when it is a weekday and not the observed Christmas holiday
--     (so Monday-Thursday; a Friday Dec 24 is the holiday, as in 2021 and 2027).
create or replace function recon.nyse_early_closes(p_year integer) returns table (day date, close_at time, name text)
language sql immutable strict parallel safe
as $$
  select e.day, time '13:00', e.name
    from (select pg_catalog.make_date(p_year, 7, 3) as jul3, pg_catalog.make_date(p_year, 7, 5) as jul5,
                 pg_catalog.make_date(p_year, 12, 24) as dec24) d,
         lateral (values
           (case when extract(isodow from d.jul3) <= 5
                  and d.jul3 <> recon.observed_date(pg_catalog.make_date(p_year, 7, 4))
                  and (p_year >= 2013 or extract(isodow from d.jul3) <> 3) then d.jul3 end,
            'Day before Independence Day'),
           (case when p_year < 2013 and extract(isodow from d.jul5) = 5 then d.jul5 end, 'Day after Independence Day'),
           (recon.nth_weekday(p_year, 11, 4, 4) + 1, 'Day after Thanksgiving'),
           (case when extract(isodow from d.dec24) <= 5
                  and d.dec24 <> recon.observed_date(pg_catalog.make_date(p_year, 12, 25)) then d.dec24 end,
            'Christmas Eve')
         ) as e (day, name)
   where e.day is not null
$$;

comment on function recon.nyse_early_closes(integer) is
  'The NYSE early closes (13:00 New York) of a year by rule (no overrides applied; see recon.market_session).';

-- Every day from p_from to p_to with its session. Overrides win over rules; rules win over
-- "a weekday is a regular session". Regular hours are 09:30-16:00 New York. Not strict, so
-- the planner can inline it (a NULL bound gives no rows all the same).
create or replace function recon.market_sessions(p_from date, p_to date)
returns table (day date, is_open boolean, kind text, open_at timestamptz, close_at timestamptz, reason text)
language sql stable parallel safe
as $$
  with years as (
    select y from pg_catalog.generate_series(extract(year from p_from)::integer, extract(year from p_to)::integer) as y
  ),
  rules as (
    -- A holiday and an early close never share a day under the rules above; should a rule
    -- change make them, the holiday wins.
    select distinct on (r.day) r.day, r.kind, r.close_time, r.name
      from (select h.day, 'holiday' as kind, null::time as close_time, h.name
              from years, recon.nyse_holidays(years.y) as h
            union all
            select e.day, 'early_close', e.close_at, e.name
              from years, recon.nyse_early_closes(years.y) as e) as r
     order by r.day, r.kind = 'holiday' desc
  ),
  classified as (
    select d.day,
           case when o.kind = 'closed' then 'special_closure'
                when o.kind = 'early_close' then 'early_close'
                when o.kind = 'open' then 'regular'
                when extract(isodow from d.day) >= 6 then 'weekend'
                when r.kind is not null then r.kind
                else 'regular' end as kind,
           case when o.kind is not null then o.close_at else r.close_time end as early_close_time,
           coalesce(o.reason,
                    case when extract(isodow from d.day) >= 6 then pg_catalog.to_char(d.day, 'FMDay') end,
                    r.name) as reason
      from (select g::date as day from pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') as g) as d
      left join recon.calendar_overrides as o on o.day = d.day
      left join rules as r on r.day = d.day
  )
  select c.day,
         c.kind in ('regular', 'early_close'),
         c.kind,
         case when c.kind in ('regular', 'early_close') then (c.day + time '09:30') at time zone 'America/New_York' end,
         case c.kind when 'regular' then (c.day + time '16:00') at time zone 'America/New_York'
                     when 'early_close' then (c.day + c.early_close_time) at time zone 'America/New_York' end,
         c.reason
    from classified as c
   order by c.day
$$;

comment on function recon.market_sessions(date, date) is
  'One row per day from p_from to p_to (any years): whether the NYSE trades, the kind of day, the session as timestamptz, and why. Same columns as recon.market_calendar.';

create or replace function recon.market_session(p_day date)
returns table (day date, is_open boolean, kind text, open_at timestamptz, close_at timestamptz, reason text)
language sql stable parallel safe
as $$
  select * from recon.market_sessions(p_day, p_day)
$$;

comment on function recon.market_session(date) is
  'The NYSE session of one day (any year): see recon.market_calendar for the columns.';

create or replace view recon.market_calendar as
  select s.day, s.is_open, s.kind, s.open_at, s.close_at, s.reason
    from recon.market_sessions(date '2020-01-01', date '2030-12-31') as s;

comment on view recon.market_calendar is
  'NYSE trading days 2020-01-01..2030-12-31: NYSE rules plus recon.calendar_overrides (which win). For other years call recon.market_sessions(from, to) or recon.market_session(day).';
comment on column recon.market_calendar.day is 'The New York calendar date.';
comment on column recon.market_calendar.is_open is 'True when the exchange trades that day (kind regular or early_close).';
comment on column recon.market_calendar.kind is
  'regular (09:30-16:00 New York), early_close (09:30-13:00 by rule, or an override''s hour), holiday (a rule), weekend, special_closure (an override).';
comment on column recon.market_calendar.open_at is 'Opening of the regular session, 09:30 New York, as timestamptz; NULL when closed.';
comment on column recon.market_calendar.close_at is 'Close of the regular session (16:00 New York, or the early close) as timestamptz; NULL when closed.';
comment on column recon.market_calendar.reason is 'The holiday or early close name, the override''s reason, or the weekday name on a weekend; NULL on a regular day.';
