// The exchange calendar in SQL is the NYSE's: its holidays and early closes for 2020-2028
// equal the NYSE's published calendars (2029-2030 are worked out from the rules by hand),
// special closures come from recon.calendar_overrides, overrides win over rules, session
// times are New York times converted across daylight saving, and the roles that need the
// calendar can read it. All against a real migrated database.
import t from 'tap';
import postgres from 'postgres';
import { migrate } from "../agent/db/migrate.js";
import { testDb } from "./helpers/db.js";
const { url, sql } = await testDb(t);
// Thrown to undo a test's overrides.
class Rollback extends Error {
}
// The NYSE's holiday and early-closing notices (NYSE Group press releases of 2019-12-09,
// 2020-12-28, 2021-12-27, 2024-11-08 and 2025-12-23), observed dates.
const PUBLISHED = {
    2020: { holidays: ['01-01', '01-20', '02-17', '04-10', '05-25', '07-03', '09-07', '11-26', '12-25'], early: ['11-27', '12-24'] },
    2021: { holidays: ['01-01', '01-18', '02-15', '04-02', '05-31', '07-05', '09-06', '11-25', '12-24'], early: ['11-26'] },
    2022: { holidays: ['01-17', '02-21', '04-15', '05-30', '06-20', '07-04', '09-05', '11-24', '12-26'], early: ['11-25'] },
    2023: { holidays: ['01-02', '01-16', '02-20', '04-07', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'], early: ['07-03', '11-24'] },
    2024: { holidays: ['01-01', '01-15', '02-19', '03-29', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'], early: ['07-03', '11-29', '12-24'] },
    2025: { holidays: ['01-01', '01-20', '02-17', '04-18', '05-26', '06-19', '07-04', '09-01', '11-27', '12-25'], early: ['07-03', '11-28', '12-24'] },
    2026: { holidays: ['01-01', '01-19', '02-16', '04-03', '05-25', '06-19', '07-03', '09-07', '11-26', '12-25'], early: ['11-27', '12-24'] },
    2027: { holidays: ['01-01', '01-18', '02-15', '03-26', '05-31', '06-18', '07-05', '09-06', '11-25', '12-24'], early: ['11-26'] },
    2028: { holidays: ['01-17', '02-21', '04-14', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'], early: ['07-03', '11-24'] },
    // Not yet published: the rules applied by hand (Easter 2029-04-01, 2030-04-21).
    2029: { holidays: ['01-01', '01-15', '02-19', '03-30', '05-28', '06-19', '07-04', '09-03', '11-22', '12-25'], early: ['07-03', '11-23', '12-24'] },
    2030: { holidays: ['01-01', '01-21', '02-18', '04-19', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'], early: ['07-03', '11-29', '12-24'] },
};
t.test('holidays and early closes 2020-2030 are the NYSE\'s', async (t) => {
    for (const [year, want] of Object.entries(PUBLISHED)) {
        const rows = await sql `select to_char(day, 'MM-DD') as d, kind from recon.market_calendar
                            where extract(year from day) = ${Number(year)} and kind in ('holiday', 'early_close') order by day`;
        t.same(rows.filter((r) => r.kind === 'holiday').map((r) => r.d), want.holidays, `${year} holidays`);
        t.same(rows.filter((r) => r.kind === 'early_close').map((r) => r.d), want.early, `${year} early closes`);
    }
    // The rule functions themselves, for a year past the view: 2033 starts on a Saturday (no
    // New Year holiday), and Juneteenth and Christmas fall on Sundays.
    const h = await sql `select day::text, name from recon.nyse_holidays(2033) order by day`;
    t.same(h.map((r) => r.day), ['2033-01-17', '2033-02-21', '2033-04-15', '2033-05-30', '2033-06-20', '2033-07-04', '2033-09-05', '2033-11-24', '2033-12-26']);
    t.same(h.filter((r) => r.name.endsWith('(observed)')).map((r) => r.day), ['2033-06-20', '2033-12-26']);
});
t.test('the rules\' exceptions: New Year on a Saturday, Juneteenth before 2022, July before 2013', async (t) => {
    const kinds = async (from, to) => (await sql `select day::text || ' ' || kind as k from recon.market_sessions(${from}, ${to})`).map((r) => r.k);
    t.same(await kinds('2021-12-31', '2022-01-03'), ['2021-12-31 regular', '2022-01-01 weekend', '2022-01-02 weekend', '2022-01-03 regular'], 'New Year\'s Day on a Saturday: no holiday, the Friday before trades');
    t.same(await kinds('2023-01-02', '2023-01-02'), ['2023-01-02 holiday'], 'on a Sunday: the Monday');
    t.same(await kinds('2021-06-18', '2021-06-18'), ['2021-06-18 regular'], 'Juneteenth was not an NYSE holiday in 2021');
    t.same(await kinds('2002-07-03', '2002-07-05'), ['2002-07-03 regular', '2002-07-04 holiday', '2002-07-05 early_close'], 'before 2013 the Friday after a Thursday July 4 closed early, the Wednesday before did not');
    t.same(await kinds('2019-07-03', '2019-07-03'), ['2019-07-03 early_close'], 'since 2013 a Wednesday July 3 closes early');
    t.same(await kinds('1997-01-20', '1997-01-20'), ['1997-01-20 regular'], 'no Martin Luther King Day before 1998');
    t.same(await kinds('1998-01-19', '1998-01-19'), ['1998-01-19 holiday']);
});
t.test('Easter by the Gregorian algorithm, at its extremes', async (t) => {
    const known = { 1818: '1818-03-22', 1943: '1943-04-25', 2000: '2000-04-23', 2008: '2008-03-23', 2011: '2011-04-24', 2038: '2038-04-25', 2285: '2285-03-22' };
    for (const [y, want] of Object.entries(known)) {
        const [r] = await sql `select recon.easter_sunday(${Number(y)})::text as d`;
        t.equal(r.d, want, `Easter ${y}`);
    }
});
t.test('special closures from the override table, in and outside the view\'s years', async (t) => {
    const closures = await sql `select day::text, reason from recon.market_calendar where kind = 'special_closure' order by day`;
    t.same(closures.map((r) => r.day), ['2025-01-09']);
    t.match(closures[0].reason, /National Day of Mourning for President Jimmy Carter/);
    for (const day of ['2001-09-11', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05']) {
        const [s] = await sql `select kind, is_open, open_at, close_at from recon.market_session(${day})`;
        t.same(s, { kind: 'special_closure', is_open: false, open_at: null, close_at: null }, day);
    }
    const [reopen] = await sql `select kind from recon.market_session('2001-09-17')`;
    t.equal(reopen.kind, 'regular', 'the exchange reopened Monday 2001-09-17');
});
t.test('session times are New York times, across both daylight-saving switches of 2026', async (t) => {
    const rows = await sql `select day::text, kind, to_char(open_at at time zone 'UTC', 'HH24:MI') as open_utc,
                                to_char(close_at at time zone 'UTC', 'HH24:MI') as close_utc,
                                to_char(close_at at time zone 'America/New_York', 'HH24:MI') as close_ny
                           from recon.market_calendar
                          where day in ('2026-03-06', '2026-03-09', '2026-10-30', '2026-11-02', '2026-11-27') order by day`;
    t.same(rows.map((r) => `${r.day} ${r.kind} ${r.open_utc}-${r.close_utc}Z close ${r.close_ny} NY`), [
        '2026-03-06 regular 14:30-21:00Z close 16:00 NY',
        '2026-03-09 regular 13:30-20:00Z close 16:00 NY',
        '2026-10-30 regular 13:30-20:00Z close 16:00 NY',
        '2026-11-02 regular 14:30-21:00Z close 16:00 NY',
        '2026-11-27 early_close 14:30-18:00Z close 13:00 NY',
    ]);
    // Independent of the session's time zone setting.
    const other = postgres(url, { max: 1, onnotice: () => { }, connection: { TimeZone: 'Asia/Tokyo' } });
    t.teardown(() => other.end({ timeout: 1 }));
    const [r] = await other `select (close_at at time zone 'UTC')::text as c from recon.market_session('2026-03-09')`;
    t.equal(r.c, '2026-03-09 20:00:00');
});
t.test('the view: every day of 2020-2030 once, times exactly when open', async (t) => {
    const [r] = await sql `select count(*)::int as n, count(distinct day)::int as days, min(day)::text as first, max(day)::text as last,
                               count(*) filter (where is_open <> (open_at is not null and close_at is not null and open_at < close_at))::int as bad,
                               count(*) filter (where (extract(isodow from day) >= 6) <> (kind = 'weekend'))::int as weekend_bad,
                               count(*) filter (where kind <> 'regular' and reason is null)::int as unexplained
                          from recon.market_calendar`;
    t.same(r, { n: 4018, days: 4018, first: '2020-01-01', last: '2030-12-31', bad: 0, weekend_bad: 0, unexplained: 0 });
    const [same] = await sql `select count(*)::int as n from recon.market_calendar c
                            join recon.market_sessions('2020-01-01', '2030-12-31') s using (day)
                           where (c.*)::text <> (s.*)::text`;
    t.equal(same.n, 0, 'the view is recon.market_sessions over its years');
    t.same(await sql `select * from recon.market_sessions('2026-01-02', '2026-01-01')`, [], 'an empty range is empty');
    t.same(await sql `select * from recon.market_sessions(null, '2026-01-01')`, [], 'a NULL bound gives no rows');
    const comments = await sql `select a.attname, col_description(a.attrelid, a.attnum) as c from pg_attribute a
                              where a.attrelid = 'recon.market_calendar'::regclass and a.attnum > 0 order by a.attnum`;
    t.same(comments.filter((c) => !c.c).map((c) => c.attname), [], 'every column is commented');
    const [v] = await sql `select obj_description('recon.market_calendar'::regclass, 'pg_class') as c`;
    t.match(v.c, /NYSE trading days 2020-01-01\.\.2030-12-31/);
});
t.test('overrides win over the rules; the table refuses what the schedule cannot honour', async (t) => {
    await sql.begin(async (tx) => {
        await tx `insert into recon.calendar_overrides (day, kind, close_at, reason) values
               ('2026-11-26', 'open', null, 'test: Thanksgiving trades'),
               ('2026-11-27', 'closed', null, 'test: the day after closes'),
               ('2026-06-01', 'early_close', '14:00', 'test: a 14:00 close'),
               ('2026-06-06', 'open', null, 'test: a Saturday session')`;
        const rows = await tx `select day::text, kind, is_open, to_char(close_at at time zone 'America/New_York', 'HH24:MI') as close_ny, reason
                            from recon.market_sessions('2026-11-26', '2026-11-27')
                          union all select day::text, kind, is_open, to_char(close_at at time zone 'America/New_York', 'HH24:MI'), reason
                            from recon.market_session('2026-06-01')
                          union all select day::text, kind, is_open, to_char(close_at at time zone 'America/New_York', 'HH24:MI'), reason
                            from recon.market_session('2026-06-06')`;
        t.same(rows, [
            { day: '2026-11-26', kind: 'regular', is_open: true, close_ny: '16:00', reason: 'test: Thanksgiving trades' },
            { day: '2026-11-27', kind: 'special_closure', is_open: false, close_ny: null, reason: 'test: the day after closes' },
            { day: '2026-06-01', kind: 'early_close', is_open: true, close_ny: '14:00', reason: 'test: a 14:00 close' },
            { day: '2026-06-06', kind: 'regular', is_open: true, close_ny: '16:00', reason: 'test: a Saturday session' },
        ]);
        throw new Rollback();
    }).catch((err) => { if (!(err instanceof Rollback))
        throw err; });
    const refused = async (values, pattern, why) => {
        await t.rejects(sql.unsafe(`insert into recon.calendar_overrides (day, kind, close_at, reason) values ${values}`), { message: pattern }, why);
    };
    await refused(`('2026-06-02', 'early_close', null, 'x')`, /calendar_overrides_close_at_iff_early_close/, 'an early close needs its hour');
    await refused(`('2026-06-02', 'closed', '13:00', 'x')`, /calendar_overrides_close_at_iff_early_close/, 'a closure has no hour');
    await refused(`('2026-06-02', 'early_close', '13:30', 'x')`, /calendar_overrides_close_at_whole_hour/, 'the crontab wakes close runs at minute 15 of whole hours');
    await refused(`('2026-06-02', 'early_close', '16:00', 'x')`, /calendar_overrides_close_at_whole_hour/, '16:00 is no early close');
    await refused(`('2026-06-02', 'early_close', '09:00', 'x')`, /calendar_overrides_close_at_whole_hour/, 'before the open');
    await refused(`('2026-06-02', 'half_day', null, 'x')`, /calendar_overrides_kind_check/, 'an unknown kind');
    await refused(`('2026-06-02', 'closed', null, '')`, /calendar_overrides_reason_check/, 'a reason is required');
    await refused(`('2025-01-09', 'closed', null, 'again')`, /calendar_overrides_pkey/, 'one override per day');
});
t.test('who may read the calendar', async (t) => {
    for (const role of ['blotter_agent', 'blotter_auditor', 'blotter_reviewer']) {
        const rows = await sql.begin(async (tx) => {
            await tx.unsafe(`set local role ${role}`);
            return tx `select (select count(*)::int from recon.market_calendar) as n, (select kind from recon.market_session('2025-01-09')) as k,
                       (select count(*)::int from recon.market_sessions('2031-01-01', '2031-12-31')) as later`;
        });
        t.same(rows[0], { n: 4018, k: 'special_closure', later: 365 }, `${role} reads the calendar`);
    }
    for (const [role, stmt] of [
        ['blotter_bi', 'select count(*) from recon.market_calendar'],
        ['blotter_agent', `insert into recon.calendar_overrides (day, kind, reason) values ('2026-06-02', 'closed', 'x')`],
        ['blotter_reviewer', `delete from recon.calendar_overrides`],
    ]) {
        await t.rejects(sql.begin(async (tx) => {
            await tx.unsafe(`set local role ${role}`);
            await tx.unsafe(stmt);
        }), { code: '42501' }, `${role}: ${stmt.slice(0, 40)} is refused`);
    }
});
t.test('the calendar functions are re-runnable: a second migrate leaves the calendar as it was', async (t) => {
    const before = await sql `select md5(string_agg((c.*)::text, ',' order by day)) as h from recon.market_calendar c`;
    const r = await migrate({ url });
    t.same(r.applied, [], 'nothing new to apply');
    const after = await sql `select md5(string_agg((c.*)::text, ',' order by day)) as h from recon.market_calendar c`;
    t.equal(after[0].h, before[0].h);
});
