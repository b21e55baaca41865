// The review console's HTTP side, served on the ingest listener under /console when
// console.enabled (agent/ingest/http.ts hands those requests here, before its bearer
// check). Pages are rendered on the server and work without JavaScript; forms post
// application/x-www-form-urlencoded.
//
// Security, by default: a session cookie (HttpOnly, SameSite=Strict, Path=/console, Secure
// over TLS or with console.secure_cookies) naming an in-memory session that expires when
// idle and at a fixed age; a CSRF token in every form (the session's, or before sign-in a
// double-submit cookie), plus a refusal of any cross-site POST by its Origin and
// Sec-Fetch-Site headers; failed sign-ins limited per name and per client address; a
// strict Content-Security-Policy (no script at all, styles from /console only). The
// person is looked up again on every request, so disabling them or changing their role
// counts at once. Viewers are refused by the server, and again by the database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type pino from 'pino';
import type postgres from 'postgres';
import type { DatabasePool } from 'slonik';
import type { Config } from '../config.ts';
import { BlotterError } from '../errors.ts';
import * as q from './db.ts';
import { layout, type Flash, type Page } from './html.ts';
import * as pages from './pages.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { RateLimiter, SessionStore, sameToken, stampOf, type Session } from './sessions.ts';
import { HttpError } from '../ingest/http-error.ts';

const COOKIE = 'blotter_session';
// What console.users allows a name to be (db/migrations/000014_console.sql).
const NAME = /^[a-z][a-z0-9._-]{0,62}$/;
const PRE_COOKIE = 'blotter_signin';
const MAX_FORM_BYTES = 16 * 1024;
const BODY_TIMEOUT_MS = 10_000;
const LIST_LIMIT = 500;
const SEARCH_LIMIT = 200;
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
// Reports being made at once, by everyone together: each may hold a file of up to
// MAX_DOWNLOAD_BYTES, a PDF a Chromium of its own. Past the bound: 503, try again.
const MAX_REPORTS_AT_ONCE = 2;
// Streams verified at once: a long stream's verify holds one of the console's four
// connections for up to its statement timeout, so a few clicks would hold them all.
const MAX_VERIFIES_AT_ONCE = 1;
const CSS = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'console.css'));

// No script anywhere; styles from /console/static only; forms post to this origin only.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// A report's HTML view: its own inline styles and SVG charts, nothing else, and sandboxed.
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

export type ConsoleDeps = {
  config: Config['console'];
  url: string;
  log: pino.Logger;
  health: () => pages.Health;
  chromium: string;
  // Statement timeout of the console's queries (a verify of a long stream takes a while).
  timeoutMs?: number;
};

export type ConsoleRoom = { handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<number>; stop: () => Promise<void> };


// Cookies are the host's, not the port's: another application on this host may set one
// that is not valid percent-encoding, and that must not take the console down. Such a
// value is skipped (ours are base64url and never need decoding).
function cookies(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // not ours: ignored
    }
  }
  return out;
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return Promise.reject(new HttpError(415, 'forms are sent as application/x-www-form-urlencoded'));
  // Past the bound the rest is not read: the answer closes the connection (reading on and
  // dropping would let one client stream without end).
  const tooBig = () => new HttpError(413, `a form of more than ${MAX_FORM_BYTES} bytes`, { connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return Promise.reject(tooBig());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => { req.destroy(); reject(new HttpError(408, 'the form did not arrive in time')); }, BODY_TIMEOUT_MS);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        clearTimeout(timer);
        req.removeAllListeners('data');
        req.pause();
        reject(tooBig());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { clearTimeout(timer); resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))); });
    req.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

// A value of a form or query: trimmed, empty as undefined, bounded.
function field(p: URLSearchParams, name: string, max = 200): string | undefined {
  const v = p.get(name)?.trim();
  if (!v) return undefined;
  if (v.length > max) throw new HttpError(400, `${name}: at most ${max} characters`);
  // PostgreSQL text cannot hold NUL: refused here as bad input, not failed there as a 500.
  if (v.includes('\u0000')) throw new HttpError(400, `${name}: a NUL character is not allowed`);
  return v;
}

// An event's seq: a positive bigint.
function seqOf(v: string): string {
  if (!/^[1-9]\d{0,18}$/.test(v) || BigInt(v) > 9_223_372_036_854_775_807n) throw new HttpError(400, 'seq: the event\'s number in the journal');
  return v;
}

function oneOf<T extends string>(p: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const v = field(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new HttpError(400, `${name}: one of ${allowed.join(', ')}, not "${v}"`);
  return v as T;
}

// A datetime-local value (no zone) read as UTC, or a full ISO timestamp.
function utcTime(p: URLSearchParams, name: string): string | undefined {
  const v = field(p, name, 40);
  if (v === undefined) return undefined;
  const text = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(Date.parse(text))) throw new HttpError(400, `${name}: a date and time such as 2026-11-26T14:30:00 (UTC), not "${v}"`);
  return text;
}

export function startConsole(d: ConsoleDeps): ConsoleRoom {
  const c = d.config;
  const sessions = new SessionStore({ idleMs: c.session_idle_minutes * 60_000, maxMs: c.session_max_hours * 3_600_000, max: c.max_sessions });
  const limiter = new RateLimiter({ attempts: c.sign_in_attempts, windowMs: c.sign_in_window_minutes * 60_000 });
  const sql: postgres.Sql = q.consoleConnection(d.url, { max: 4, timeoutMs: d.timeoutMs ?? 60_000 });
  let reportPool: Promise<DatabasePool> | null = null;
  const log = d.log.child({ module: 'console' });
  // What runs now, against MAX_REPORTS_AT_ONCE and MAX_VERIFIES_AT_ONCE.
  let reportsRunning = 0;
  let verifying = 0;
  // The decoy hash for unknown names is made now, not at the first unknown name (which
  // would take twice as long as any other answer and so tell that the name is unknown).
  void verifyPassword('', null);

  async function reports(): Promise<DatabasePool> {
    const { openReadPool } = await import('../report/read.ts');
    reportPool ??= openReadPool(d.url, { statementTimeoutMs: d.timeoutMs ?? 60_000, applicationName: 'blotter-console-report', role: q.CONSOLE_ROLE })
      .catch((err) => { reportPool = null; throw err; });
    return reportPool;
  }

  function secure(req: http.IncomingMessage): boolean {
    return c.secure_cookies || req.socket instanceof TLSSocket;
  }

  function cookie(req: http.IncomingMessage, name: string, value: string, maxAgeS: number | null): string {
    return `${name}=${encodeURIComponent(value)}; Path=/console; HttpOnly; SameSite=Strict${secure(req) ? '; Secure' : ''}${maxAgeS === null ? '' : `; Max-Age=${maxAgeS}`}`;
  }

  function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}): number {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin', 'x-frame-options': 'DENY', 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin',
      ...headers,
    });
    res.end(body);
    return status;
  }

  const redirect = (res: http.ServerResponse, to: string, headers: Record<string, string | string[]> = {}) => send(res, 303, '', { location: to, ...headers });

  function page(res: http.ServerResponse, status: number, o: { title: string; current: Page; session: Session | null; body: string; flash?: Flash }, headers: Record<string, string | string[]> = {}): number {
    return send(res, status, layout(o), headers);
  }

  // A POST from another site is refused whatever it carries (defence in depth: the CSRF
  // token is the check that must hold; these headers are what browsers add on their own).
  function sameOrigin(req: http.IncomingMessage): void {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined) {
      if (site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'a form from another site is refused');
      return;
    }
    // Browsers without Sec-Fetch-Site: the Origin header, when there is a real one.
    const origin = req.headers.origin;
    const host = req.headers.host ?? '';
    if (origin !== undefined && origin !== 'null' && origin !== `http://${host}` && origin !== `https://${host}`) throw new HttpError(403, 'a form from another origin is refused');
  }

  function checkCsrf(form: URLSearchParams, expected: string | undefined): void {
    if (!sameToken(form.get('_csrf'), expected)) throw new HttpError(403, 'the form has no valid CSRF token: reload the page and try again');
  }

  // The signed-in person, looked up again in the database (disabled: signed out; role: as
  // now; password replaced since the session began, e.g. by `blotter users reset`: this
  // session ends, so a reset after a disable does not bring a stolen session back).
  async function current(req: http.IncomingMessage): Promise<{ token: string; session: Session } | null> {
    const token = cookies(req)[COOKIE];
    const session = sessions.get(token);
    if (!token || !session) return null;
    const u = await q.userForSignIn(sql, session.user);
    if (!u) {
      sessions.endAllOf(session.user);
      return null;
    }
    if (stampOf(u.password_hash) !== session.stamp) {
      sessions.end(token);
      return null;
    }
    session.role = u.role;
    return { token, session };
  }

  async function signInForm(req: http.IncomingMessage, res: http.ServerResponse, status = 200, flash: Flash = null, name?: string): Promise<number> {
    const pre = cookies(req)[PRE_COOKIE];
    const csrf = pre && /^[A-Za-z0-9_-]{43}$/.test(pre) ? pre : randomBytes(32).toString('base64url');
    return page(res, status, { title: 'Sign in', current: 'none', session: null, body: pages.signInPage({ csrf, name }), flash }, { 'set-cookie': cookie(req, PRE_COOKIE, csrf, 3600) });
  }

  async function signIn(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    const form = await readForm(req);
    sameOrigin(req);
    checkCsrf(form, cookies(req)[PRE_COOKIE]);
    const name = (form.get('name') ?? '').trim().toLowerCase().slice(0, 64);
    const password = form.get('password') ?? '';
    const addr = req.socket.remoteAddress ?? 'unknown';
    const wait = Math.max(limiter.blockedFor(`name:${name}`), limiter.blockedFor(`addr:${addr}`));
    if (wait > 0) {
      log.warn({ name, addr }, 'console: sign-in refused: too many failed attempts');
      return signInForm(req, res, 429, { kind: 'bad', text: `Too many failed sign-ins: try again in ${Math.ceil(wait / 60)} minute(s).` }, name);
    }
    // Counted as failed before the check, and taken back if it succeeds: counted after,
    // any number of guesses sent at once would all pass the check above while the first
    // was still hashing.
    limiter.fail(`name:${name}`);
    limiter.fail(`addr:${addr}`);
    // A name no person can have is not looked up (the decoy hash is still checked below).
    const u = NAME.test(name) && password.length <= 256 ? await q.userForSignIn(sql, name) : null;
    const ok = await verifyPassword(password.slice(0, 256), u?.password_hash ?? null);
    if (!u || !ok) {
      log.warn({ name, addr }, 'console: sign-in failed');
      return signInForm(req, res, 401, { kind: 'bad', text: 'Wrong name or password.' }, name);
    }
    limiter.succeed(`name:${name}`);
    limiter.forgive(`addr:${addr}`);
    const { token } = sessions.create(u.name, u.role, u.must_change_password, stampOf(u.password_hash));
    log.info({ user: u.name, role: u.role, addr }, 'console: signed in');
    return redirect(res, u.must_change_password ? '/console/password' : '/console', { 'set-cookie': [cookie(req, COOKIE, token, null), cookie(req, PRE_COOKIE, '', 0)] });
  }

  async function routes(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (p === '/console/static/console.css' && method === 'GET') {
      return send(res, 200, CSS, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' });
    }
    if (p === '/console/sign-in') {
      if (method === 'POST') return signIn(req, res);
      if (await current(req)) return redirect(res, '/console');
      return signInForm(req, res);
    }
    if (method !== 'GET' && method !== 'POST') throw new HttpError(405, `${method} is not served here`, { allow: 'GET, POST' });

    const who = await current(req);
    if (!who) {
      if (method === 'POST') throw new HttpError(403, 'not signed in (or the session ended): sign in again');
      return redirect(res, '/console/sign-in');
    }
    const s = who.session;
    let form: URLSearchParams | null = null;
    if (method === 'POST') {
      form = await readForm(req);
      sameOrigin(req);
      checkCsrf(form, s.csrf);
    }
    const view = (status: number, title: string, current: Page, body: string, flash: Flash = null) => page(res, status, { title, current, session: s, body, flash });

    if (p === '/console/sign-out' && form) {
      sessions.end(who.token);
      return redirect(res, '/console/sign-in', { 'set-cookie': cookie(req, COOKIE, '', 0) });
    }
    if (p === '/console/password') {
      if (!form) return view(200, 'Choose a password', 'none', pages.passwordPage(s));
      // Guesses at the current password count as failed sign-ins of this person, so a
      // session left open is not a way around the sign-in's rate limit.
      const wait = limiter.blockedFor(`name:${s.user}`);
      if (wait > 0) return view(429, 'Choose a password', 'none', pages.passwordPage(s), { kind: 'bad', text: `Too many wrong passwords: try again in ${Math.ceil(wait / 60)} minute(s).` });
      limiter.fail(`name:${s.user}`);
      const ok = await verifyPassword((form.get('current') ?? '').slice(0, 256), (await q.userForSignIn(sql, s.user))?.password_hash ?? null);
      if (ok) limiter.forgive(`name:${s.user}`);
      const next = form.get('password') ?? '';
      const problem = !ok ? 'The current password is wrong.' : next !== form.get('again') ? 'The two new passwords differ.'
        : passwordProblem(next) ? `The new password ${passwordProblem(next)}.` : next === form.get('current') ? 'The new password must differ from the one-time password.' : null;
      if (problem) return view(400, 'Choose a password', 'none', pages.passwordPage(s), { kind: 'bad', text: problem });
      const hash = await hashPassword(next);
      await q.changePassword(sql, s.user, hash);
      // Every session of this person ends; this one goes on under a new id.
      sessions.endAllOf(s.user);
      const fresh = sessions.create(s.user, s.role, false, stampOf(hash));
      log.info({ user: s.user }, 'console: password changed');
      return redirect(res, '/console', { 'set-cookie': cookie(req, COOKIE, fresh.token, null) });
    }
    if (s.mustChangePassword) {
      if (form) throw new HttpError(403, 'choose your own password first');
      return redirect(res, '/console/password');
    }

    if (p === '/console' && !form) {
      const o = await q.overview(sql);
      return view(200, 'Overview', 'overview', pages.overviewPage({ ...o, health: d.health() }));
    }
    if (p === '/console/breaks' && !form) {
      const sp = url.searchParams;
      const filter: q.BreakFilter = {
        account: field(sp, 'account', 64), category: field(sp, 'category', 64), severity: oneOf(sp, 'severity', q.SEVERITIES),
        state: oneOf(sp, 'state', q.STATES), age: oneOf(sp, 'age', Object.keys(q.MIN_AGES)),
      };
      const [list, facets] = await Promise.all([q.filterBreaks(sql, filter, LIST_LIMIT), q.breakFacets(sql)]);
      return view(200, 'Breaks', 'breaks', pages.breaksPage({ list, filter, ...facets, limit: LIST_LIMIT }));
    }
    if (p === '/console/breaks/view' && !form) {
      const id = field(url.searchParams, 'id', 500);
      const detail = id === undefined ? null : await q.breakDetail(sql, id);
      if (!detail) throw new HttpError(404, `no break ${id ?? '(no id given)'}`);
      const done = oneOf(url.searchParams, 'done', ['acknowledged', 'escalated', 'resolved']);
      return view(200, `Break ${detail.break.key}`, 'breaks', pages.breakPage({ b: detail.break, history: detail.history, events: detail.events, session: s }),
        done ? { kind: 'ok', text: `Break ${done}; recorded in the ledger with your name.` } : null);
    }
    if (p === '/console/breaks/review' && form) {
      // The server refuses a viewer whatever the page showed; the database would too.
      if (s.role === 'viewer') throw new HttpError(403, `${s.user} is a viewer: only reviewers and admins may acknowledge, escalate or resolve breaks`);
      const id = field(form, 'id', 500);
      if (!id) throw new HttpError(400, 'id: which break');
      const action = oneOf(form, 'action', ['acknowledge', 'escalate', 'resolve'] as const);
      const note = field(form, 'note', 2000) ?? null;
      const again = async (status: number, text: string) => {
        const detail = await q.breakDetail(sql, id);
        if (!detail) throw new HttpError(404, `no break ${id}`);
        return view(status, `Break ${detail.break.key}`, 'breaks', pages.breakPage({ b: detail.break, history: detail.history, events: detail.events, session: s }), { kind: 'bad', text });
      };
      if (!action) return again(400, 'action: acknowledge, escalate or resolve');
      if (action === 'resolve' && note === null) return again(400, 'note: resolving a break needs a note saying why. Nothing was recorded.');
      const r = await q.review(sql, s.user, id, action, note);
      if (!r.ok && r.status === 404) throw new HttpError(404, r.message);
      if (!r.ok) return again(r.status, `${r.message}. Nothing was recorded.`);
      log.info({ user: s.user, break_id: id, action }, 'console: break reviewed');
      return redirect(res, `/console/breaks/view?${new URLSearchParams({ id, done: r.status })}`);
    }
    if (p === '/console/reports' && !form) {
      const { CATALOG } = await import('../report/catalog.ts');
      const { listCustomReports } = await import('../report/custom.ts');
      const custom = await listCustomReports(sql);
      const facets = await q.breakFacets(sql);
      const accounts = (await sql`select account from recon.accounts() order by 1`).map((r) => r.account as string);
      const list: pages.ReportChoice[] = [
        ...CATALOG.map((r) => ({ name: r.name, title: r.title, description: r.description, params: r.params as string[], required: (r.required ?? []) as string[], custom: false })),
        ...custom.map((r) => ({ name: r.name, title: r.name, description: r.description ?? `custom report, version ${r.version}`, params: r.parameters, required: r.parameters, custom: true })),
      ];
      return view(200, 'Reports', 'reports', pages.reportsPage({ reports: list, accounts: [...new Set([...accounts, ...facets.accounts])].sort() }));
    }
    if (p === '/console/reports/run' && !form) return runReport(url.searchParams, res);
    if (p === '/console/audit' && !form) {
      const sp = url.searchParams;
      const search: q.Search = {
        stream: field(sp, 'stream', 200), account: field(sp, 'account', 64), order: field(sp, 'order', 100), exec: field(sp, 'exec', 100),
        type: field(sp, 'type', 63), from: utcTime(sp, 'from'), to: utcTime(sp, 'to'),
      };
      const rows = await q.searchEvents(sql, search, SEARCH_LIMIT);
      const shown = { ...search, from: sp.get('from') ?? undefined, to: sp.get('to') ?? undefined };
      return view(200, 'Audit', 'audit', pages.auditPage({ search: shown, rows, limit: SEARCH_LIMIT, searched: true }));
    }
    if ((p === '/console/audit/event' && !form) || (p === '/console/audit/verify' && form)) {
      const seq = seqOf((form ?? url.searchParams).get('seq') ?? '');
      const e = await q.eventBySeq(sql, seq);
      if (!e) throw new HttpError(404, `no event ${seq}`);
      if (!form) return view(200, `Event ${seq}`, 'audit', pages.eventPage({ e, session: s }));
      if (verifying >= MAX_VERIFIES_AT_ONCE) throw new HttpError(503, 'a stream is being verified already: try again in a moment', { 'retry-after': '5' });
      const started = performance.now();
      verifying++;
      const v = await q.verifyStream(sql, e.stream).finally(() => verifying--);
      log.info({ user: s.user, stream: e.stream, ok: v?.reason === null }, 'console: stream verified');
      return view(200, `Event ${seq}`, 'audit', pages.eventPage({ e, session: s, verify: v, verifyMs: Math.round(performance.now() - started) }));
    }
    throw new HttpError(404, `nothing at ${method} ${p}`);
  }

  async function runReport(sp: URLSearchParams, res: http.ServerResponse): Promise<number> {
    if (reportsRunning >= MAX_REPORTS_AT_ONCE) {
      throw new HttpError(503, `${MAX_REPORTS_AT_ONCE} reports are being made already: try again in a moment`, { 'retry-after': '5' });
    }
    reportsRunning++;
    try {
      return await makeReport(sp, res);
    } finally {
      reportsRunning--;
    }
  }

  async function makeReport(sp: URLSearchParams, res: http.ServerResponse): Promise<number> {
    const { checkDate, buildCatalogReport, writeReport } = await import('../report/run.ts');
    const { findReport } = await import('../report/catalog.ts');
    const name = field(sp, 'report', 100);
    if (!name) throw new HttpError(400, 'report: which report');
    const format = oneOf(sp, 'format', ['html', 'csv', 'xlsx', 'pdf'] as const) ?? 'html';
    const params: { from?: string; to?: string; account?: string; order?: string } = {};
    const dated = (k: 'from' | 'to') => {
      const v = field(sp, k, 10);
      if (v === undefined) return;
      try {
        params[k] = checkDate(v, k);
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
    };
    dated('from');
    dated('to');
    if (params.from && params.to && params.from > params.to) throw new HttpError(400, `from ${params.from} is after to ${params.to}`);
    const account = field(sp, 'account', 64);
    if (account) params.account = account;
    const order = field(sp, 'order', 100);
    if (order) params.order = order;
    let built: { doc: import('../report/model.ts').ReportDocument; describe: string };
    try {
      if (findReport(name)) {
        built = await buildCatalogReport(await reports(), name, params);
      } else {
        const { runCustomReport } = await import('../report/custom.ts');
        const [def] = await sql`select pg_catalog.to_json(parameters)::text as p from reports.custom_reports where name = ${name}`;
        if (!def) throw new HttpError(404, `no report named "${name}"`);
        const wanted = JSON.parse(def.p as string) as string[];
        const given: Record<string, string> = {};
        for (const k of wanted) {
          const v = (params as Record<string, string | undefined>)[k] ?? field(sp, k, 200);
          if (v !== undefined) given[k] = v;
        }
        built = { doc: await runCustomReport(sql, { name, params: given }), describe: `report ${name}` };
      }
    } catch (err) {
      if (err instanceof BlotterError && /^(REPORT_PARAM|REPORT_UNKNOWN|CUSTOM_REPORT_PARAM)$/.test(err.code)) throw new HttpError(400, err.message);
      throw err;
    }
    const stem = [name, params.account, params.from ?? built.doc.meta.parameters.from, params.to ?? built.doc.meta.parameters.to].filter(Boolean).join('_').replace(/[^A-Za-z0-9._-]+/g, '-');
    if (format === 'html') {
      const { renderHtml } = await import('../report/html.ts');
      return send(res, 200, await renderHtml(built.doc), { 'content-security-policy': REPORT_CSP });
    }
    const types = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' };
    // Written to memory first, so an error halfway is an error page, not half a file; and
    // bounded, so a report too big for a browser download is refused, not held.
    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    let size = 0;
    // (Past the bound the rest is counted and dropped: destroying the stream under
    // writeReport would leave its error unheard.)
    sink.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= MAX_DOWNLOAD_BYTES) chunks.push(b);
    });
    await writeReport(built.doc, { format, stdout: sink, chromium: d.chromium || undefined });
    if (size > MAX_DOWNLOAD_BYTES) {
      throw new HttpError(413, `this report is over ${MAX_DOWNLOAD_BYTES / 1024 ** 2} MiB: narrow the dates or the account, or write it with blotter report ${name} --out FILE`);
    }
    return send(res, 200, Buffer.concat(chunks), { 'content-type': types[format], 'content-disposition': `attachment; filename="${stem}.${format}"` });
  }

  return {
    async handle(req, res) {
      try {
        return await routes(req, res);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return 500;
        }
        if (err instanceof HttpError) {
          const who = await current(req).catch(() => null);
          return page(res, err.status, { title: 'Refused', current: 'none', session: who?.session ?? null, body: pages.errorPage(err.status, err.message) }, err.headers);
        }
        // The cause goes to the log, not the page: a database's message names its tables,
        // columns and values, which are not the browser's to read.
        const ref = randomBytes(6).toString('hex');
        log.error({ err: (err as Error).message, url: req.url, ref }, 'console: request failed');
        return page(res, 500, { title: 'Error', current: 'none', session: null, body: pages.errorPage(500, `The page could not be made: an internal error (logged as ${ref}).`) });
      }
    },
    async stop() {
      await sql.end({ timeout: 2 }).catch(() => {});
      if (reportPool) await (await reportPool.catch(() => null))?.end().catch(() => {});
    },
  };
}
