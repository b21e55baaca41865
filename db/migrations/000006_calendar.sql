-- The exchange calendar's exceptions: days the NYSE rules in db/functions/150_recon_calendar.sql
-- cannot derive (special closures, and any one-off change of hours). Rules plus this table
-- make recon.market_calendar; a row here always wins over the rules.
-- A future exception (a national day of mourning is announced a few days ahead) is added
-- by a new migration, so the calendar's history is in version control like the schema.

-- The recon tables' migration (000005) may create the schema too.
create schema if not exists recon;

create table recon.calendar_overrides (
  day        date primary key,
  kind       text not null check (kind in ('closed', 'early_close', 'open')),
  -- New York local time; only an early close has one ('open' means the regular hours).
  close_at   time,
  reason     text not null check (reason <> ''),
  -- Where the fact comes from, so a reviewer can check it.
  source     text,
  created_at timestamptz not null default now(),
  constraint calendar_overrides_close_at_iff_early_close check ((kind = 'early_close') = (close_at is not null)),
  -- Whole hours from 10:00 to 15:00 only: the close task's crontab wakes at minute 15 of
  -- each hour (agent/jobs/crontab.ts), and a close outside these hours is no early close.
  constraint calendar_overrides_close_at_whole_hour check (
    close_at is null
    or (close_at between time '10:00' and time '15:00' and extract(minute from close_at) = 0 and extract(second from close_at) = 0))
);

comment on table recon.calendar_overrides is
  'Exchange days the NYSE rules cannot derive (special closures, one-off hours). A row wins over the rules in recon.market_session / recon.market_calendar.';

-- Special closures since 2001; each was announced by the NYSE. The rules cover the
-- regular holidays and early closes (see 150_recon_calendar.sql).
insert into recon.calendar_overrides (day, kind, reason, source) values
  ('2001-09-11', 'closed', 'September 11 attacks', 'NYSE closed 2001-09-11 through 2001-09-14, reopened 2001-09-17'),
  ('2001-09-12', 'closed', 'September 11 attacks', 'NYSE closed 2001-09-11 through 2001-09-14, reopened 2001-09-17'),
  ('2001-09-13', 'closed', 'September 11 attacks', 'NYSE closed 2001-09-11 through 2001-09-14, reopened 2001-09-17'),
  ('2001-09-14', 'closed', 'September 11 attacks', 'NYSE closed 2001-09-11 through 2001-09-14, reopened 2001-09-17'),
  ('2004-06-11', 'closed', 'National Day of Mourning for President Ronald Reagan', 'NYSE closure announcement, June 2004'),
  ('2007-01-02', 'closed', 'National Day of Mourning for President Gerald R. Ford', 'NYSE closure announcement, December 2006'),
  ('2012-10-29', 'closed', 'Hurricane Sandy', 'NYSE closed 2012-10-29 and 2012-10-30'),
  ('2012-10-30', 'closed', 'Hurricane Sandy', 'NYSE closed 2012-10-29 and 2012-10-30'),
  ('2018-12-05', 'closed', 'National Day of Mourning for President George H. W. Bush', 'NYSE closure announcement, December 2018'),
  ('2025-01-09', 'closed', 'National Day of Mourning for President Jimmy Carter', 'NYSE closure announcement, December 2024');
