-- Casts that never fail, for the typed views. The journal is append-only, so a row holding
-- a value that does not cast (written before validation caught it, or by a writer that
-- bypassed the API) stays forever; a view that cast it with :: would fail for every query
-- from then on. These return NULL instead, and ledger.invalid_events says which rows and why.
--
-- Plain SQL and immutable (timestamps aside), so the planner inlines them: a regular
-- expression decides, then the ordinary cast runs only on text it is sure to accept.

create or replace function ledger.to_numeric(p text) returns numeric
language sql immutable parallel safe as $$
  select case when length(p) <= 2000 and p ~ '^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?\s*$' then p::numeric end
$$;
comment on function ledger.to_numeric(text) is 'p as numeric, or NULL when it is not a decimal number (never an error).';

create or replace function ledger.to_bigint(p text) returns bigint
language sql immutable parallel safe as $$
  select case when p ~ '^\s*[+-]?\d{1,18}\s*$' then p::bigint
              when p ~ '^\s*[+-]?\d{19}\s*$' and p::numeric between -9223372036854775808 and 9223372036854775807 then p::bigint end
$$;
comment on function ledger.to_bigint(text) is 'p as bigint, or NULL when it is not a 64-bit integer (never an error).';

create or replace function ledger.to_integer(p text) returns integer
language sql immutable parallel safe as $$
  select case when p ~ '^\s*[+-]?\d{1,9}\s*$' then p::integer
              when p ~ '^\s*[+-]?\d{10}\s*$' and p::bigint between -2147483648 and 2147483647 then p::integer end
$$;
comment on function ledger.to_integer(text) is 'p as integer, or NULL when it is not a 32-bit integer (never an error).';

create or replace function ledger.to_boolean(p text) returns boolean
language sql immutable parallel safe as $$
  select case when p in ('true', 'false') then p::boolean end
$$;
comment on function ledger.to_boolean(text) is 'p as boolean when it is the JSON literal true or false, else NULL.';

-- RFC 3339 with an offset (what the API accepts). A well-formed text can still name a day
-- that does not exist (Feb 30): only that case pays for the exception block's subtransaction,
-- because a text the pattern refuses returns before it.
create or replace function ledger.to_timestamptz(p text) returns timestamptz
language plpgsql stable parallel safe as $$
begin
  if p is null or p !~ '^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}(:?\d{2})?)$' then
    return null;
  end if;
  return p::timestamptz;
exception when data_exception then
  return null;
end
$$;
comment on function ledger.to_timestamptz(text) is 'p as timestamptz when it is an RFC 3339 timestamp with an offset, else NULL (never an error).';

-- A calendar day, YYYY-MM-DD (what the API accepts for date fields). As for timestamps, only
-- a well-formed text naming a day that does not exist (Feb 30, year 0) pays for the
-- exception block.
create or replace function ledger.to_date(p text) returns date
language plpgsql immutable parallel safe as $$
begin
  if p is null or p !~ '^\d{4}-\d{2}-\d{2}$' then
    return null;
  end if;
  return p::date;
exception when data_exception then
  return null;
end
$$;
comment on function ledger.to_date(text) is 'p as date when it is a calendar day written YYYY-MM-DD, else NULL (never an error).';
