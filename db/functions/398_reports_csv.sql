-- CSV cells written by the database, for `blotter report` exports (agent/report/csv-copy.ts):
-- the same cells as the TypeScript writer (agent/report/formats.ts), streamed by COPY while
-- the client only passes them on. RFC 4180: a field holding a comma, a quote or a line break is
-- quoted, its quotes doubled. Text a spreadsheet would run as a formula (starting with = + -
-- @, a tab or a carriage return) gets a leading apostrophe.

create or replace function reports.csv_quote(p text) returns text
language sql immutable parallel safe as $$
  -- strpos, not a regular expression: this runs for every text cell of an export
  select case when strpos(p, ',') > 0 or strpos(p, '"') > 0 or strpos(p, chr(10)) > 0 or strpos(p, chr(13)) > 0
              then '"' || replace(p, '"', '""') || '"' else p end
$$;
comment on function reports.csv_quote(text) is 'p as an RFC 4180 CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break.';

create or replace function reports.csv_text(p text) returns text
language sql immutable parallel safe as $$
  select case when p is null then '' when left(p, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then reports.csv_quote('''' || p) else reports.csv_quote(p) end
$$;
comment on function reports.csv_text(text) is 'A text cell for CSV: empty for NULL, a leading apostrophe on text a spreadsheet would run as a formula, quoted as RFC 4180 needs.';
