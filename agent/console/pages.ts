// The console's pages as HTML strings, from rows already read: pure functions (server.ts
// reads, checks and calls these). Numbers are shown as the database wrote them.
import { num } from '../recon/format.ts';
import type { Break, Field } from '../recon/queries.ts';
import { AGES, MIN_AGES, SEVERITIES, STATES, type BreakCount, type BreakEvent, type BreakFilter, type ChainRow, type History, type LastRun, type LedgerRow, type Search, type TradingStatus, type VerifyRow } from './db.ts';
import { ago, badge, csrfField, esc, input, qs, select, table, when } from './html.ts';
import type { Session } from './sessions.ts';

export function signInPage(o: { csrf: string; name?: string }): string {
  return `<div class="signin"><h1>Sign in</h1>
<p class="muted">The review console of blotter: reconciliation breaks, trading status, reports and the ledger.</p>
<form class="stack" method="post" action="/console/sign-in">${csrfField(o.csrf)}
${input('name', 'Name', o.name, 'text', ' autocomplete="username" autocapitalize="none" spellcheck="false" required')}
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></div>`;
}

export function passwordPage(s: Session): string {
  return `<div class="signin"><h1>Choose a password</h1>
<p class="muted">The password you signed in with was shown once, when you were added. Choose your own (at least 12 characters) to go on.</p>
<form class="stack" method="post" action="/console/password">${csrfField(s.csrf)}
<input type="text" name="username" value="${esc(s.user)}" autocomplete="username" hidden>
<label>Current password<input type="password" name="current" autocomplete="current-password" required></label>
<label>New password<input type="password" name="password" autocomplete="new-password" minlength="12" required></label>
<label>New password again<input type="password" name="again" autocomplete="new-password" minlength="12" required></label>
<button type="submit">Save password</button>
</form></div>`;
}

export type Health = {
  status: string; reasons: string[];
  database: { reachable: boolean; last_write_at: string | null; last_error: string | null };
  spool: { bytes: number; quota_bytes: number };
  writer: { lag_ms: number; stalled_ms: number; batches: number; events: number; errors: number; rejected: number };
};

export function overviewPage(o: { status: TradingStatus[]; runs: LastRun[]; breaks: BreakCount[]; chain: ChainRow[]; health: Health }): string {
  const runOf = new Map(o.runs.map((r) => [r.account, r]));
  const accounts = o.status.length === 0
    ? '<section class="card"><h3>No account yet</h3><p class="muted">No account has been reconciled yet: trading status is <strong>halt</strong> until one is (the bot asks GET /v1/trading-status).</p></section>'
    : `${o.status.map((s) => {
      const run = runOf.get(s.account);
      const result = run ? run.entities.some((e) => e.status === 'breaks') ? badge('breaks', 'bad') : run.entities.some((e) => e.status === 'not_compared') ? badge('partly compared', 'warn') : badge('ok') : '';
      const open = o.breaks.filter((b) => b.account === s.account).reduce((n, b) => n + b.n, 0);
      return `<section class="card" aria-labelledby="acct-${esc(s.account)}"><h3 id="acct-${esc(s.account)}"><span>${esc(s.account)}</span>${badge(s.status)}</h3>
${s.reasons.length ? `<ul class="reasons">${s.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '<p class="muted">Trading may go on: reconciled recently, no critical break, relay connected.</p>'}
<dl class="kv">
<dt>Last reconciliation</dt><dd>${run ? `${when(run.as_of)} (${esc(run.scope)}) ${result}` : '<span class="muted">never</span>'}</dd>
<dt>Open breaks</dt><dd><a href="/console/breaks${qs({ account: s.account })}">${open}</a>${s.critical_breaks ? ` · ${badge(`${s.critical_breaks} critical`, 'critical')}` : ''}</dd>
<dt>IB relay</dt><dd>${esc(s.relay_state ?? 'never connected')}</dd>
</dl></section>`;
    }).join('\n')}`;

  // Open breaks by severity (rows) and age (columns), every account together.
  const sev = [...SEVERITIES, null] as (string | null)[];
  const cell = (s: string | null, a: string) => o.breaks.filter((b) => b.severity === s && b.age === a).reduce((n, b) => n + b.n, 0);
  const breakRows = sev.filter((s) => AGES.some((a) => cell(s, a) > 0)).map((s) => [badge(s ?? 'unknown', s ?? 'none'),
    ...AGES.map((a) => { const n = cell(s, a); return n ? `<a href="/console/breaks${qs({ severity: s ?? undefined })}">${n}</a>` : '<span class="muted">0</span>'; })]);
  const breaks = table([{ label: 'Severity' }, ...AGES.map((a) => ({ label: a, num: true }))], breakRows, { empty: 'No open breaks.', caption: 'Open breaks by severity and age' });

  const h = o.health;
  const pct = h.spool.quota_bytes ? ((100 * h.spool.bytes) / h.spool.quota_bytes).toFixed(1) : '0';
  const health = `<section class="card"><h3><span>Spool and writer</span>${badge(h.status, h.status === 'ok' ? 'ok' : 'degraded')}</h3>
${h.reasons.length ? `<ul class="reasons">${h.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
<dl class="kv">
<dt>Database</dt><dd>${h.database.reachable ? 'reachable' : `<strong>not reachable</strong>${h.database.last_error ? `: ${esc(h.database.last_error)}` : ''}`}</dd>
<dt>Last write</dt><dd>${when(h.database.last_write_at)}</dd>
<dt>Spool</dt><dd>${h.spool.bytes.toLocaleString('en-US')} of ${h.spool.quota_bytes.toLocaleString('en-US')} bytes (${pct}%)</dd>
<dt>Writer lag</dt><dd>${h.writer.lag_ms} ms</dd>
<dt>Events written</dt><dd>${h.writer.events.toLocaleString('en-US')} in ${h.writer.batches.toLocaleString('en-US')} batches; ${h.writer.errors} errors, ${h.writer.rejected} rejected</dd>
</dl></section>`;

  const chain = table([{ label: 'Stream' }, { label: 'Chain' }, { label: 'Verified' }, { label: 'Rows checked', num: true }, { label: 'New rows since', num: true }, { label: '' }],
    o.chain.map((c) => [`<code>${esc(c.stream)}</code>`, c.ok === null ? badge('not verified yet', 'none') : c.ok ? badge('ok') : badge(`broken at ${c.first_bad_stream_seq}: ${c.reason}`, 'bad'),
      when(c.verified_at), esc(c.rows_checked ?? '—'), esc(c.rows_since ?? '—'), `<a href="/console/audit${qs({ stream: c.stream })}">search</a>`]),
    { empty: 'No stream yet.', caption: 'Chain status per stream' });

  return `<h1>Overview</h1>
<h2>Trading status per account, and the agent</h2>
<div class="grid">${accounts}
${health}</div>
<h2>Open breaks by severity and age</h2>
${breaks}
<h2>Chain status per stream</h2>
<p class="muted">As the last daily verification found each stream (the agent's verify_chain task). Any event's stream can be verified now from the Audit page.</p>
${chain}`;
}

export function fieldsText(b: { detail: Break['detail'] }): string {
  const fields = Array.isArray(b.detail?.fields) ? b.detail.fields : [];
  if (fields.length) return fields.map((f) => `${esc(f.field)}: broker ${esc(num(f.broker ?? f.statement))}, bot ${esc(num(f.bot ?? f.live))}`).join('; ');
  return typeof b.detail?.reason === 'string' ? esc(b.detail.reason) : '';
}

const breakLink = (id: string) => `/console/breaks/view${qs({ id })}`;

export function breaksPage(o: { list: Break[]; filter: BreakFilter; accounts: string[]; categories: string[]; limit: number }): string {
  const f = o.filter;
  const form = `<form class="filters" method="get" action="/console/breaks" aria-label="Filter breaks">
${select('account', 'Account', [['', 'any'], ...o.accounts.map((a): [string, string] => [a, a])], f.account)}
${select('category', 'Category', [['', 'any'], ...o.categories.map((c): [string, string] => [c, c])], f.category)}
${select('severity', 'Severity', [['', 'any'], ...SEVERITIES.map((s): [string, string] => [s, s])], f.severity)}
${select('state', 'State', STATES.map((s): [string, string] => [s, s === 'unresolved' ? 'unresolved (open, ack., escalated)' : s]), f.state ?? 'unresolved')}
${select('age', 'Older than', [['', 'any age'], ...Object.entries(MIN_AGES).map(([k, v]): [string, string] => [k, v])], f.age)}
<div class="buttons"><button type="submit">Filter</button> <a class="button secondary" href="/console/breaks">Clear</a></div>
</form>`;
  const rows = o.list.map((b) => [badge(b.severity_now ?? b.severity ?? 'unknown', b.severity_now ?? 'none'), badge(b.status), esc(b.account), esc(b.category),
    `<a href="${breakLink(b.break_id)}"><code>${esc(b.key)}</code></a>`, fieldsText(b), `${when(b.first_seen_at)}<br><span class="muted">${ago(b.first_seen_at)} ago</span>`]);
  return `<h1>Breaks</h1>
${form}
<p class="muted" role="status">${o.list.length}${o.list.length === o.limit ? '+' : ''} break${o.list.length === 1 ? '' : 's'}, worst first.</p>
${table([{ label: 'Severity' }, { label: 'State' }, { label: 'Account' }, { label: 'Category' }, { label: 'Key' }, { label: 'What differs' }, { label: 'First seen' }], rows, { empty: 'No break matches these filters.', caption: 'Breaks' })}`;
}

function fieldRows(fields: Field[]): string {
  const three = fields.some((f) => 'statement' in f);
  const head = three
    ? [{ label: 'Field' }, { label: 'Statement', num: true }, { label: 'Live', num: true }, { label: 'Bot', num: true }, { label: 'Difference', num: true }]
    : [{ label: 'Field' }, { label: 'Broker', num: true }, { label: 'Bot', num: true }, { label: 'Difference', num: true }];
  return table(head, fields.map((f) => three
    ? [esc(f.field), esc(num(f.statement)), esc(num(f.live)), esc('bot' in f ? num(f.bot) : ''), esc(f.difference === undefined ? '' : num(f.difference))]
    : [esc(f.field), esc(num(f.broker)), esc(num(f.bot)), esc(f.difference === undefined ? '' : num(f.difference))]), { caption: 'The discrepancy, field by field' });
}

export function breakPage(o: { b: Break; history: History[]; events: BreakEvent[]; session: Session }): string {
  const b = o.b;
  const fields = Array.isArray(b.detail?.fields) ? b.detail.fields : [];
  const rest = Object.entries(b.detail ?? {}).filter(([k, v]) => k !== 'fields' && v !== null);
  const canAct = o.session.role !== 'viewer';
  const open = ['open', 'acknowledged', 'escalated'].includes(b.status);
  let actions = '';
  if (open && canAct) {
    actions = `<h2>Review</h2>
<form class="review" method="post" action="/console/breaks/review">${csrfField(o.session.csrf)}<input type="hidden" name="id" value="${esc(b.break_id)}">
<label for="note">Note <span class="muted">(required to resolve; recorded in the ledger with your name)</span></label>
<textarea id="note" name="note" maxlength="2000"></textarea>
<div class="actions">
${b.status !== 'acknowledged' ? '<button type="submit" name="action" value="acknowledge" class="secondary">Acknowledge</button>' : ''}
${b.status !== 'escalated' ? '<button type="submit" name="action" value="escalate" class="secondary">Escalate</button>' : ''}
<button type="submit" name="action" value="resolve">Resolve</button>
</div></form>`;
  } else if (open) {
    actions = '<p class="muted">You are signed in as a viewer: reviewers and admins acknowledge, escalate and resolve breaks.</p>';
  }
  const history = `<ol class="history">${o.history.map((h) => {
    if (h.event_type === 'recon_break') {
      return `<li>${when(h.recorded_at)} · <strong>${esc(h.what)}</strong> by reconciliation run <code>${esc(h.run_id ?? '?')}</code>${h.severity ? ` · severity ${esc(h.severity)}` : ''}</li>`;
    }
    const who = h.via === 'console' ? `${esc(h.actor?.replace(/^console:/, ''))} <span class="muted">in the console (database role ${esc(h.db_role)}, login ${esc(h.db_user)})</span>` : `${esc(h.actor ?? '?')} <span class="muted">(database login)</span>`;
    return `<li class="review">${when(h.recorded_at)} · <strong>${esc(h.what)}</strong> by ${who}${h.note ? `<br>“${esc(h.note)}”` : ''} <a href="/console/audit/event${qs({ seq: String(h.seq) })}" class="muted">event ${esc(String(h.seq))}</a></li>`;
  }).join('\n')}</ol>`;
  const events = table([{ label: 'Seq', num: true }, { label: 'Recorded' }, { label: 'Type' }, { label: 'Source' }, { label: 'Order trail' }],
    o.events.map((e) => [`<a href="/console/audit/event${qs({ seq: e.seq })}">${esc(e.seq)}</a>`, when(e.recorded_at), esc(e.event_type), esc(e.source),
      e.order_id ? `<a href="/console/reports/run${qs({ report: 'order-trail', order: e.order_id, account: e.account ?? undefined, format: 'html' })}">order ${esc(e.order_id)}</a> · <a href="/console/audit${qs({ order: e.order_id })}">events</a>` : e.exec_id ? `<a href="/console/audit${qs({ exec: e.exec_id })}">exec ${esc(e.exec_id)}</a>` : '']),
    { empty: 'No event in the journal carries this break\'s key.', caption: 'Events behind the break' });
  return `<p><a href="/console/breaks">← Breaks</a></p>
<h1>Break <code>${esc(b.break_id)}</code></h1>
<dl class="kv">
<dt>State</dt><dd>${badge(b.status)}</dd>
<dt>Severity</dt><dd>${badge(b.severity_now ?? b.severity ?? 'unknown', b.severity_now ?? 'none')}${b.severity_now && b.severity && b.severity_now !== b.severity ? ` <span class="muted">(${esc(b.severity)} when last detected; age raised it)</span>` : ''}</dd>
<dt>Account</dt><dd>${esc(b.account)}</dd>
<dt>Category</dt><dd>${esc(b.category)}</dd>
<dt>Key</dt><dd><code>${esc(b.key)}</code></dd>
<dt>Amount</dt><dd class="mono">${esc(num(b.amount))}</dd>
<dt>First seen</dt><dd>${when(b.first_seen_at)} (${ago(b.first_seen_at)} ago)</dd>
<dt>Last seen</dt><dd>${when(b.last_seen_at)}${b.last_run_id ? ` by run <code>${esc(b.last_run_id)}</code>` : ''}</dd>
${b.reviewed_by ? `<dt>Reviewed</dt><dd>by ${esc(b.reviewed_by)} ${when(b.reviewed_at)}${b.review_note ? `: “${esc(b.review_note)}”` : ''}</dd>` : ''}
</dl>
<h2>What differs</h2>
${fields.length ? fieldRows(fields) : ''}
${rest.length ? `<dl class="kv spaced">${rest.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</dd>`).join('')}</dl>` : ''}
${actions}
<h2>History</h2>
${history}
<h2>Events behind it</h2>
${events}`;
}

export type ReportChoice = { name: string; title: string; description: string; params: string[]; required: string[]; custom: boolean };

export function reportsPage(o: { reports: ReportChoice[]; accounts: string[] }): string {
  const option = (r: ReportChoice) => `<option value="${esc(r.name)}">${esc(r.title)}</option>`;
  const builtIn = o.reports.filter((r) => !r.custom);
  const custom = o.reports.filter((r) => r.custom);
  const form = `<form class="filters" method="get" action="/console/reports/run" aria-label="Get a report">
<label>Report<select name="report" required>
<optgroup label="Built-in">${builtIn.map(option).join('')}</optgroup>
${custom.length ? `<optgroup label="Custom">${custom.map(option).join('')}</optgroup>` : ''}
</select></label>
${input('from', 'From', undefined, 'date')}
${input('to', 'To', undefined, 'date')}
${select('account', 'Account', [['', 'every account'], ...o.accounts.map((a): [string, string] => [a, a])], undefined)}
${input('order', 'Order id (order trail)', undefined)}
${select('format', 'As', [['html', 'view (HTML)'], ['csv', 'CSV'], ['xlsx', 'Excel (XLSX)'], ['pdf', 'PDF']], 'html')}
<div class="buttons"><button type="submit">Get report</button></div>
</form>`;
  const rows = o.reports.map((r) => [`<strong>${esc(r.title)}</strong>${r.custom ? ` ${badge('custom', 'none')}` : ''}`, esc(r.description),
    esc(r.params.map((p) => (p === 'year' ? 'from/to (a year)' : p)).join(', ') || 'none'),
    r.required.length ? `<span class="muted">needs ${esc(r.required.join(', '))}: use the form</span>`
      : `<a href="/console/reports/run${qs({ report: r.name, format: 'html' })}">view</a> · <a href="/console/reports/run${qs({ report: r.name, format: 'csv' })}">CSV</a>`]);
  return `<h1>Reports</h1>
<p class="muted">Dates are New York dates, both ends included; left empty, a report covers its usual period (the last day with data, its year, the last 30 days). Files carry their parameters, freshness and the chain status of the streams they read.</p>
${form}
<h2>What each report holds</h2>
${table([{ label: 'Report' }, { label: 'What it holds' }, { label: 'Parameters' }, { label: 'Its usual period' }], rows, { caption: 'Reports' })}`;
}

export function auditPage(o: { search: Search; rows: LedgerRow[]; limit: number; searched: boolean }): string {
  const s = o.search;
  const form = `<form class="filters" method="get" action="/console/audit" aria-label="Search the ledger">
${input('stream', 'Stream', s.stream)}
${input('account', 'Account', s.account)}
${input('order', 'Order id', s.order)}
${input('exec', 'Exec id', s.exec)}
${input('type', 'Event type', s.type)}
${input('from', 'Recorded from (UTC)', s.from, 'datetime-local', ' step="1"')}
${input('to', 'Recorded before (UTC)', s.to, 'datetime-local', ' step="1"')}
<div class="buttons"><button type="submit">Search</button> <a class="button secondary" href="/console/audit">Clear</a></div>
</form>`;
  const rows = o.rows.map((e) => [`<a href="/console/audit/event${qs({ seq: e.seq })}">${esc(e.seq)}</a>`, when(e.recorded_at), esc(e.event_type), esc(e.account ?? ''),
    `<code>${esc(e.stream)}</code> #${esc(e.stream_seq)}`, `<code class="hash" title="${esc(e.hash)}">${esc(e.hash.slice(0, 16))}…</code>`]);
  return `<h1>Audit</h1>
<p class="muted">Search the ledger (newest first). Every event shows its place in its stream's hash chain; its page verifies that stream.</p>
${form}
${o.searched ? `<p class="muted" role="status">${o.rows.length}${o.rows.length === o.limit ? '+' : ''} event${o.rows.length === 1 ? '' : 's'}.</p>` : ''}
${table([{ label: 'Seq', num: true }, { label: 'Recorded' }, { label: 'Type' }, { label: 'Account' }, { label: 'Stream position' }, { label: 'Hash' }], rows, { empty: 'No event matches.', caption: 'Ledger events' })}`;
}

export function eventPage(o: { e: LedgerRow & { head_stream_seq: string | null }; session: Session; verify?: VerifyRow | null; verifyMs?: number }): string {
  const e = o.e;
  // Laid out by jsonb_pretty in the database: numbers keep the digits they were stored with.
  const payload = e.payload;
  const v = o.verify;
  const verified = v === undefined ? ''
    : v === null ? `<p class="flash bad" role="alert">Stream ${esc(e.stream)} has no rows to verify.</p>`
    : v.reason === null
      ? `<p class="flash ok" role="status">Stream <code>${esc(v.stream)}</code> verified: ${esc(v.rows_checked)} rows, every hash recomputed and every link checked, no gap, the head matches (${o.verifyMs} ms).</p>`
      : `<p class="flash bad" role="alert">Stream <code>${esc(v.stream)}</code> does NOT verify: ${esc(v.reason)} at stream_seq ${esc(v.first_bad_stream_seq)}${v.detail ? ` (${esc(v.detail)})` : ''}.</p>`;
  return `<p><a href="/console/audit">← Audit</a></p>
<h1>Event ${esc(e.seq)}</h1>
${verified}
<dl class="kv">
<dt>Type</dt><dd>${esc(e.event_type)}</dd>
<dt>Stream</dt><dd><code>${esc(e.stream)}</code></dd>
<dt>Position</dt><dd>${esc(e.stream_seq)} of ${esc(e.head_stream_seq ?? '?')} in its stream (seq ${esc(e.seq)} in the journal)</dd>
<dt>Hash</dt><dd><code class="hash">${esc(e.hash)}</code></dd>
<dt>Previous hash</dt><dd><code class="hash">${esc(e.prev_hash)}</code></dd>
<dt>Recorded</dt><dd>${when(e.recorded_at)}</dd>
<dt>Occurred</dt><dd>${when(e.occurred_at)}</dd>
<dt>Source</dt><dd>${esc(e.source)}</dd>
<dt>Account</dt><dd>${esc(e.account ?? '')}</dd>
<dt>Entity</dt><dd>${esc(e.entity_type ?? '')} ${e.entity_id ? `<code>${esc(e.entity_id)}</code>` : ''}</dd>
<dt>Actor</dt><dd>${e.actor ? esc(e.actor) : '<span class="muted">none</span>'}</dd>
</dl>
<form class="verify" method="post" action="/console/audit/verify">${csrfField(o.session.csrf)}<input type="hidden" name="seq" value="${esc(e.seq)}">
<button type="submit">Verify stream ${esc(e.stream)}</button></form>
<h2>Payload</h2>
<pre class="payload">${esc(payload)}</pre>`;
}

export function errorPage(status: number, text: string): string {
  return `<h1>${status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 429 ? 'Too many attempts' : 'Cannot do that'}</h1>
<p>${esc(text)}</p><p><a href="/console">Overview</a></p>`;
}
