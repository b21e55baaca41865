// The review console in a real browser (Debian's headless Chromium driven by
// playwright-core), against a real PostgreSQL and an agent in this process with the console
// on. A reviewer added by `blotter users add` signs in with the one-time password, must
// choose their own, sees the overview, filters the breaks, opens one, is refused resolving
// it without a note, resolves it with one and sees it resolved with its history (recorded
// in the ledger with the console's role and the person). A viewer's review is refused by
// the server; so is a forged form without the CSRF token and a form from another origin;
// sign-in attempts are rate-limited; cookies carry HttpOnly and SameSite=Strict. Reports
// are viewed and downloaded (CSV, XLSX, PDF); the audit page finds an event and verifies
// its stream. Every page is checked for console errors, for axe-core violations (none
// serious or critical) and for sideways scrolling on a phone, and is photographed into
// tmp/test-artifacts/ (console-*.png) at desk and phone width.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import t, { type Test } from 'tap';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, horizontalOverflow } from '../agent/report/pdf.ts';
import { addUser } from '../agent/console/users.ts';
import { defineCustomReport } from '../agent/report/custom.ts';
import { inProcessAgent } from './helpers/agent.ts';
import { ROOT, runCli, testDb } from './helpers/db.ts';
import { ACCOUNT, botFill, ibFill, put } from './helpers/recon.ts';

const ARTIFACTS = path.join(ROOT, 'tmp', 'test-artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const { url, sql } = await testDb(t);
const hourAgo = new Date(Date.now() - 3600_000).toISOString();
const dayAgo = new Date(Date.now() - 2 * 86400_000).toISOString();
// Three breaks: a fill the broker never reported (1000 × 187.25: critical), an old small
// one, and a price that differs; one matched fill besides.
await put(sql, [
  botFill('big.01', { at: hourAgo, qty: '1000' }),
  botFill('old.01', { at: dayAgo, qty: '1' }),
  botFill('px.01', { at: hourAgo, price: '187.30' }), ibFill('px.01', { at: hourAgo, price: '187.25' }),
  botFill('ok.01', { at: hourAgo }), ibFill('ok.01', { at: hourAgo }),
]);
await sql`select * from recon.reconcile(${ACCOUNT}, null, 'all')`;
const breaks = await sql`select break_id, severity_now, status from recon.breaks order by break_id`;
// A saved custom report with a parameter, offered beside the built-in ones.
await defineCustomReport(sql, { name: 'breaks_by_day', actor: 'test', description: 'Breaks per day for one account',
  sqlText: 'select day, category, severity, opened from reports.reconciliation where account = :account order by day, category' });

const agent = await inProcessAgent(t, url, { BLOTTER_CONSOLE_ENABLED: 'true', BLOTTER_CONSOLE_SIGN_IN_ATTEMPTS: '3' });
const base = `http://127.0.0.1:${agent.port}`;

// The reviewer through the CLI, as a person would; the viewer straight through the function.
const cli = await runCli(['users', 'add', 'rita', '--role', 'reviewer'], { env: { DATABASE_URL: url } });
const ritaOnce = /one-time password: (\S+)/.exec(cli.stdout)?.[1] ?? '';
const veraOnce = await addUser(sql, 'vera', 'viewer');

const browser: Browser = await chromium.launch({
  executablePath: chromiumPath(), headless: true,
  args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-extensions', '--disable-background-networking'],
});
t.teardown(() => browser.close());

const errors: string[] = [];
const outside: string[] = [];
async function contextFor(width: number): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 600, hasTouch: width < 600, deviceScaleFactor: 1, acceptDownloads: true });
  ctx.on('page', watch);
  // Nothing but the agent: a page that fetched from the internet would be caught here.
  await ctx.route('**/*', (r) => (r.request().url().startsWith(base) ? r.continue() : (outside.push(r.request().url()), r.abort())));
  return ctx;
}
// The refusals this test provokes on purpose (401, 403, 400, 429: each status asserted
// where it is provoked) are logged by Chromium as failed loads; anything else is an error.
const PROVOKED = /^Failed to load resource: the server responded with a status of (400|401|403|429) /;
function watch(p: Page): void {
  p.on('console', (m) => { if (m.type() === 'error' && !PROVOKED.test(m.text())) errors.push(`${p.url()}: ${m.text()}`); });
  p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
}

// axe-core, evaluated through the driver (the console's CSP allows no script of its own).
async function axe(t: Test, p: Page, name: string): Promise<void> {
  await p.evaluate(AXE);
  const r = await p.evaluate('axe.run(document, { resultTypes: ["violations"] })') as { violations: { id: string; impact: string; help: string; nodes: unknown[] }[] };
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  t.same(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `${name}: no serious accessibility violation`);
}

async function shoot(t: Test, p: Page, name: string): Promise<void> {
  await p.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage: true });
}

// The same page at phone width, in the phone context (same person), photographed.
async function onPhone(t: Test, phone: Page, route: string, name: string): Promise<void> {
  await phone.goto(base + route);
  t.equal(await horizontalOverflow(phone), 0, `${name}: nothing wider than a phone`);
  await shoot(t, phone, `${name}-phone`);
}

async function signIn(p: Page, name: string, password: string): Promise<void> {
  await p.goto(`${base}/console`);
  await p.fill('input[name=name]', name);
  await p.fill('input[name=password]', password);
  await Promise.all([p.waitForURL(/\/console(\/password)?$/), p.click('main button[type=submit]')]);
}

async function choosePassword(p: Page, current: string, next: string): Promise<void> {
  await p.fill('input[name=current]', current);
  await p.fill('input[name=password]', next);
  await p.fill('input[name=again]', next);
  await Promise.all([p.waitForURL(`${base}/console`), p.click('main button[type=submit]')]);
}

const desk = await contextFor(1280);
const page = await desk.newPage();
const phoneCtx = await contextFor(390);
const phone = await phoneCtx.newPage();

t.test('sign in: the one-time password, then one of your own', async (t) => {
  t.match(ritaOnce, /^[A-Za-z0-9_-]{20}$/, 'users add printed a one-time password');
  await page.goto(`${base}/console`);
  t.match(page.url(), /\/console\/sign-in$/, 'signed out: sent to sign in');
  await axe(t, page, 'sign-in');
  await shoot(t, page, 'sign-in');
  const cookies = await desk.cookies();
  t.ok(cookies.every((c) => c.httpOnly && c.sameSite === 'Strict' && c.path === '/console'), 'cookies are HttpOnly, SameSite=Strict, Path=/console');

  await page.fill('input[name=name]', 'rita');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('main button[type=submit]');
  t.match(await page.textContent('.flash'), /Wrong name or password/);

  await signIn(page, 'rita', ritaOnce);
  t.match(page.url(), /\/console\/password$/, 'the one-time password must be replaced first');
  await axe(t, page, 'password');
  await page.goto(`${base}/console/breaks`);
  t.match(page.url(), /\/console\/password$/, 'no page before that');
  await page.fill('input[name=current]', ritaOnce);
  // The browser would stop a short password itself (minlength): the server must too.
  await page.evaluate("document.querySelectorAll('[minlength]').forEach((i) => i.removeAttribute('minlength'))");
  await page.fill('input[name=password]', 'short');
  await page.fill('input[name=again]', 'short');
  await page.click('main button[type=submit]');
  t.match(await page.textContent('.flash'), /at least 12 characters/);
  await choosePassword(page, ritaOnce, 'rita-own-password-1');
  const session = (await desk.cookies()).find((c) => c.name === 'blotter_session');
  t.ok(session && session.httpOnly && session.sameSite === 'Strict' && !session.secure, 'session cookie: HttpOnly, SameSite=Strict (not Secure over plain HTTP)');
  t.equal((await sql`select must_change_password from console.users where name = 'rita'`)[0]!.must_change_password, false);

  await signIn(phone, 'rita', 'rita-own-password-1');
});

t.test('overview: trading status, breaks by severity and age, chain, spool', async (t) => {
  await page.goto(`${base}/console`);
  const text = await page.textContent('main') ?? '';
  t.match(text, ACCOUNT);
  t.match(text, /halt/, 'the account halts (a critical break)');
  t.match(text, /critical break\(s\) open/);
  t.match(text, /Spool and writer/);
  t.match(text, /Chain status per stream/);
  await axe(t, page, 'overview');
  await shoot(t, page, 'overview');
  await onPhone(t, phone, '/console', 'overview');
});

let critical = '';
t.test('breaks: filter, open one, resolve it with a note, see its history', async (t) => {
  t.equal(breaks.length, 3, 'three breaks to review');
  critical = breaks.find((b) => b.severity_now === 'critical')!.break_id as string;
  await page.goto(`${base}/console/breaks`);
  t.equal(await page.locator('tbody tr').count(), 3, 'all three unresolved');
  await page.selectOption('select[name=severity]', 'critical');
  await Promise.all([page.waitForURL(/severity=critical/), page.click('form.filters button[type=submit]')]);
  t.equal(await page.locator('tbody tr').count(), 1, 'filtered to the critical one');
  // Age counts from when reconciliation first saw a break (this test's run, just now).
  await page.selectOption('select[name=age]', '1h');
  await page.selectOption('select[name=severity]', '');
  await Promise.all([page.waitForURL(/age=1h/), page.click('form.filters button[type=submit]')]);
  t.equal(await page.locator('tbody tr').count(), 0, 'none older than an hour');
  t.match(await page.textContent('main') ?? '', /No break matches these filters/);
  await axe(t, page, 'breaks');
  await page.goto(`${base}/console/breaks`);
  await shoot(t, page, 'breaks');
  await onPhone(t, phone, '/console/breaks', 'breaks');

  await Promise.all([page.waitForURL(/\/console\/breaks\/view/), page.click(`a[href*="${encodeURIComponent(critical)}"]`)]);
  t.match(await page.textContent('main') ?? '', /What differs/);
  await axe(t, page, 'break');
  await shoot(t, page, 'break');

  const before = (await sql`select count(*)::int as n from ledger.events where event_type = 'recon_break_review'`)[0]!.n;
  await page.click('button[value=resolve]');
  t.match(await page.textContent('.flash'), /needs a note/, 'resolve without a note: refused, saying why');
  t.equal((await sql`select count(*)::int as n from ledger.events where event_type = 'recon_break_review'`)[0]!.n, before, 'nothing recorded');

  await page.fill('textarea[name=note]', 'IB confirmed the 1000-share fill was a test order on the bot\'s side <em>not</em> a fill');
  await Promise.all([page.waitForURL(/done=resolved/), page.click('button[value=resolve]')]);
  t.match(await page.textContent('.flash'), /Break resolved/);
  const main = await page.textContent('main') ?? '';
  t.match(main, /resolved/);
  t.match(main, /rita/);
  t.match(main, /database role blotter_console/, 'the history names the console\'s role and the person');
  t.match(main, /IB confirmed the 1000-share fill.*<em>not<\/em> a fill/, 'the note as typed, markup shown as text');
  t.equal(await page.locator('ol.history em').count(), 0, 'never as markup');
  t.equal(await page.locator('form.review').count(), 0, 'a resolved break offers no more actions');
  await shoot(t, page, 'break-resolved');
  await onPhone(t, phone, `/console/breaks/view?id=${encodeURIComponent(critical)}`, 'break-resolved');

  // The actor as the views reveal it (user events' actors are stored encrypted).
  const [h] = await sql`select privacy.reveal(actor) as actor, payload from ledger.events where event_type = 'recon_break_review' order by seq desc limit 1`;
  t.equal(h!.actor, 'console:rita', 'the person');
  t.match(h!.payload, { action: 'resolve', via: 'console', person_role: 'reviewer', db_role: 'blotter_console', from: 'open' }, 'and the role the database saw');
  t.equal((await sql`select status from recon.breaks where break_id = ${critical}`)[0]!.status, 'resolved');
});

// The form a page would send, posted by the browser's own request API (same cookies).
async function post(ctx: BrowserContext, route: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const r = await ctx.request.post(base + route, { form, headers, maxRedirects: 0 });
  return { status: r.status(), text: await r.text() };
}
const csrfOf = async (p: Page) => (await p.getAttribute('input[name=_csrf]', 'value'))!;

t.test('forged forms are refused: no CSRF token, a wrong one, another origin', async (t) => {
  const other = breaks.find((b) => b.break_id !== critical)!.break_id as string;
  await page.goto(`${base}/console/breaks/view?id=${encodeURIComponent(other)}`);
  const token = await csrfOf(page);
  let r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge' });
  t.equal(r.status, 403, 'no CSRF token: 403');
  t.match(r.text, /CSRF/);
  r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge', _csrf: 'x'.repeat(43) });
  t.equal(r.status, 403, 'a wrong token: 403');
  r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge', _csrf: token }, { origin: 'http://evil.example' });
  t.equal(r.status, 403, 'the right token from another origin: 403');
  r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge', _csrf: token }, { 'sec-fetch-site': 'cross-site' });
  t.equal(r.status, 403, 'the right token from another site (Sec-Fetch-Site): 403');
  t.equal((await sql`select status from recon.breaks where break_id = ${other}`)[0]!.status, 'open', 'the break is untouched');
  r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge', _csrf: token });
  t.equal(r.status, 303, 'the page\'s own form goes through');
  t.equal((await sql`select status from recon.breaks where break_id = ${other}`)[0]!.status, 'acknowledged');
  r = await post(desk, '/console/breaks/review', { id: other, action: 'acknowledge', _csrf: token });
  t.equal(r.status, 409, 'acknowledging it again: 409, saying why');
  t.match(r.text, /already acknowledged\. Nothing was recorded/);
});

t.test('a viewer reads but cannot act: the server refuses, and so does the database', async (t) => {
  const ctx = await contextFor(1280);
  const p = await ctx.newPage();
  await signIn(p, 'vera', veraOnce);
  await choosePassword(p, veraOnce, 'vera-own-password-1');
  const other = breaks.find((b) => b.break_id !== critical)!.break_id as string;
  await p.goto(`${base}/console/breaks/view?id=${encodeURIComponent(other)}`);
  t.equal(await p.locator('form.review').count(), 0, 'no review form for a viewer');
  t.match(await p.textContent('main') ?? '', /signed in as a viewer/);
  const r = await post(ctx, '/console/breaks/review', { id: other, action: 'resolve', note: 'forged by a viewer', _csrf: await csrfOf(p) });
  t.equal(r.status, 403, 'the server refuses a viewer\'s review');
  t.match(r.text, /viewer/);
  await t.rejects(sql`select console.review_break('vera', ${other}, 'resolve', 'x')`, { code: '42501' }, 'the database refuses it too');
  t.equal((await sql`select status from recon.breaks where break_id = ${other}`)[0]!.status, 'acknowledged', 'unchanged');
  await ctx.close();
});

t.test('reports: the page, an HTML view, CSV, XLSX and PDF downloads', async (t) => {
  await page.goto(`${base}/console/reports`);
  await axe(t, page, 'reports');
  await shoot(t, page, 'reports');
  await onPhone(t, phone, '/console/reports', 'reports');
  const form = page.locator('form.filters');
  await form.locator('select[name=report]').selectOption('reconciliation');
  await form.locator('select[name=format]').selectOption('csv');
  const [download] = await Promise.all([page.waitForEvent('download'), form.locator('button[type=submit]').click()]);
  t.match(download.suggestedFilename(), /^reconciliation.*\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  t.match(csv.split('\n')[0], /account/, 'a CSV with its header');
  t.match(csv, ACCOUNT);

  await page.goto(`${base}/console/reports/run?report=reconciliation&format=html`);
  t.match(await page.textContent('body') ?? '', /Reconciliation/);
  await shoot(t, page, 'report-view');
  const xlsx = await desk.request.get(`${base}/console/reports/run?report=reconciliation&format=xlsx`);
  t.equal(xlsx.status(), 200);
  t.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
  const pdf = await desk.request.get(`${base}/console/reports/run?report=chain-status&format=pdf`);
  t.equal(pdf.status(), 200);
  t.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-', 'a PDF file');
  await page.goto(`${base}/console/reports`);
  t.match(await page.textContent('main') ?? '', /Breaks per day for one account/, 'the custom report is listed');
  await form.locator('select[name=report]').selectOption('breaks_by_day');
  await form.locator('select[name=account]').selectOption(ACCOUNT);
  await form.locator('select[name=format]').selectOption('csv');
  const [custom] = await Promise.all([page.waitForEvent('download'), form.locator('button[type=submit]').click()]);
  t.match(fs.readFileSync(await custom.path(), 'utf8'), /^day,category,severity,opened\r?\n[^]*execution\.missing_at_broker,critical,1/, 'a custom report, its parameter from the form');
  const bad = await desk.request.get(`${base}/console/reports/run?report=daily&from=2026-13-01&format=csv`);
  t.equal(bad.status(), 400, 'a bad date is refused, naming the field');
  t.match(await bad.text(), /from/);
});

t.test('audit: search by exec id, the event with its place and hash, verify its stream', async (t) => {
  await page.goto(`${base}/console/audit`);
  await page.fill('input[name=exec]', 'big.01');
  await Promise.all([page.waitForURL(/exec=big.01/), page.click('form.filters button[type=submit]')]);
  t.ok(await page.locator('tbody tr').count() >= 1, 'found the fill');
  await axe(t, page, 'audit');
  await shoot(t, page, 'audit');
  await onPhone(t, phone, '/console/audit?exec=big.01', 'audit');
  await Promise.all([page.waitForURL(/\/console\/audit\/event/), page.locator('tbody tr a').first().click()]);
  const text = await page.textContent('main') ?? '';
  t.match(text, /Position\s*\d+ of \d+ in its stream/);
  t.match(text, /[0-9a-f]{64}/, 'its hash');
  await page.click('button:has-text("Verify stream")');
  await page.waitForSelector('.flash');
  t.match(await page.textContent('.flash'), /verified: \d+ rows/);
  await axe(t, page, 'event');
  await shoot(t, page, 'event');
  const eventRoute = `/console/audit/event?seq=${await page.getAttribute('input[name=seq]', 'value')}`;
  await onPhone(t, phone, eventRoute, 'event');
});

t.test('sign-in is rate-limited; signing out ends the session', async (t) => {
  const ctx = await contextFor(1280);
  const p = await ctx.newPage();
  await p.goto(`${base}/console/sign-in`);
  const token = await csrfOf(p);
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await post(ctx, '/console/sign-in', { _csrf: token, name: 'rita', password: `guess-${i}` })).status);
  // This address failed once in the first test: two more failures, and it is refused.
  t.same(statuses, [401, 401, 429, 429], 'three failures, then refused');
  const right = await post(ctx, '/console/sign-in', { _csrf: token, name: 'rita', password: 'rita-own-password-1' });
  t.equal(right.status, 429, 'even the right password waits out the window');
  await ctx.close();

  await page.goto(`${base}/console`);
  await Promise.all([page.waitForURL(/sign-in/), page.click('header form button')]);
  const r = await desk.request.get(`${base}/console/breaks`, { maxRedirects: 0 });
  t.equal(r.status(), 303, 'signed out: the session is gone');
});

t.test('no console errors and no outside requests on any page', async (t) => {
  t.same(errors, []);
  t.same(outside, []);
});
