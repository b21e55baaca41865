// The console's markup: escaping, the page frame (header, navigation, who is signed in,
// sign-out), and small parts the pages share. Every value goes through esc(); nothing
// here reads the database or the request.
import type { Session } from './sessions.ts';

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// A query string from the non-empty values.
export function qs(o: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export type Page = 'overview' | 'breaks' | 'reports' | 'audit' | 'none';
const NAV: [Page, string, string][] = [['overview', 'Overview', '/console'], ['breaks', 'Breaks', '/console/breaks'], ['reports', 'Reports', '/console/reports'], ['audit', 'Audit', '/console/audit']];

export type Flash = { kind: 'ok' | 'bad'; text: string } | null;

export function layout(o: { title: string; current: Page; session: Session | null; body: string; flash?: Flash }): string {
  const s = o.session;
  const nav = s && !s.mustChangePassword
    ? `<nav aria-label="Pages">${NAV.map(([id, label, href]) => `<a href="${href}"${id === o.current ? ' aria-current="page"' : ''}>${label}</a>`).join('')}</nav>`
    : '';
  const who = s
    ? `<div class="who"><span>${esc(s.user)} <span class="role">(${esc(s.role)})</span></span>`
      + `<form method="post" action="/console/sign-out">${csrfField(s.csrf)}<button type="submit">Sign out</button></form></div>`
    : '';
  const flash = o.flash ? `<p class="flash ${o.flash.kind}" role="${o.flash.kind === 'bad' ? 'alert' : 'status'}">${esc(o.flash.text)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} · blotter</title>
<link rel="stylesheet" href="/console/static/console.css">
<link rel="icon" href="data:,">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/console">blotter</a>${nav}${who}</header>
<main id="main">
${flash}${o.body}
</main>
</body>
</html>
`;
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(token)}">`;
}

export function badge(text: string | null | undefined, kind?: string): string {
  const t = text ?? 'none';
  return `<span class="badge ${esc(kind ?? t)}">${esc(t)}</span>`;
}

// A table whose rows turn into labelled cards on a phone (table.cards in console.css).
export function table(head: { label: string; num?: boolean }[], body: string[][], o: { caption?: string; empty?: string } = {}): string {
  if (body.length === 0) return `<p class="muted">${esc(o.empty ?? 'Nothing to show.')}</p>`;
  const th = head.map((h) => `<th scope="col"${h.num ? ' class="num"' : ''}>${esc(h.label)}</th>`).join('');
  const rows = body.map((r) => `<tr>${r.map((c, i) => `<td${head[i]!.label ? ` data-label="${esc(head[i]!.label)}"` : ''}${head[i]!.num ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table class="cards">${o.caption ? `<caption class="skip">${esc(o.caption)}</caption>` : ''}<thead><tr>${th}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

// A UTC timestamp as the database wrote it, shortened to the second for reading; the
// whole value stays in the title.
export function when(ts: string | null | undefined): string {
  if (!ts) return '<span class="muted">never</span>';
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)/.exec(ts);
  return m ? `<time datetime="${esc(ts)}" title="${esc(ts)}">${m[1]} ${m[2]} UTC</time>` : esc(ts);
}

export function ago(ts: string | null | undefined, now = Date.now()): string {
  if (!ts) return '';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

export function select(name: string, label: string, options: [string, string][], value: string | undefined): string {
  return `<label>${esc(label)}<select name="${esc(name)}">${options.map(([v, t]) => `<option value="${esc(v)}"${v === (value ?? '') ? ' selected' : ''}>${esc(t)}</option>`).join('')}</select></label>`;
}

export function input(name: string, label: string, value: string | undefined, type = 'text', extra = ''): string {
  return `<label>${esc(label)}<input type="${type}" name="${esc(name)}" value="${esc(value ?? '')}"${extra}></label>`;
}
