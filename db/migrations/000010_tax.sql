-- Tax settings per account: the lot method the tax lot engine (db/functions/380_reports_tax.sql)
-- sells by, the taxpayer whose accounts wash sales match across, and whether the account is
-- an IRA. An account with no row is FIFO, its own taxpayer, taxable.

create table reports.tax_accounts (
  account    text    primary key,
  lot_method text    not null default 'FIFO' check (lot_method in ('FIFO', 'LIFO', 'HIFO', 'SPECIFIC')),
  taxpayer   text    check (taxpayer <> ''),
  ira        boolean not null default false
);
comment on table reports.tax_accounts is 'Tax settings per IB account for reports.tax_lots, realized_gains and form_8949. An account without a row: FIFO, its own taxpayer, not an IRA.';
comment on column reports.tax_accounts.account is 'IB account';
comment on column reports.tax_accounts.lot_method is 'Which lots a sale closes: FIFO (oldest first, the default), LIFO (newest first), HIFO (highest cost per unit first), SPECIFIC (the lots the bot''s order named in order_submitted.tax_lots, then FIFO). Section 1256 contracts are always FIFO.';
comment on column reports.tax_accounts.taxpayer is 'Owner of the account: wash sales match across all accounts with the same taxpayer (NULL: the account alone)';
comment on column reports.tax_accounts.ira is 'An IRA (or Roth IRA): its own sales are not reported; a loss elsewhere washed by a purchase here is lost for good (Rev. Rul. 2008-5), no basis increase';
