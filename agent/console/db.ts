// What the review console asks of the database, all through its own pool acting as role
// blotter_console (db/policies/090_console_grants.sql): the views of recon, reports and
// ledger an auditor reads, and the console.* functions that act in a person's name. Rows
// travel as JSON text parsed exactly (numbers keep their digits), as in agent/recon.
import postgres from 'postgres';
import { PG } from '../errors.ts';
import { parseExact } from '../ledger/json.ts';
import type { Break, HistoryItem } from '../recon/queries.ts';

export const CONSOLE_ROLE = 'blotter_console';

// Times in UTC whatever the server's zone; statements bounded; no array types fetched
// (see agentConnection in agent/agent.ts for why).
export function consoleConnection(url: string, o: { max: number; timeoutMs: number }): postgres.Sql {
  return postgres(url, {
    max: o.max, connect_timeout: 5, idle_timeout: 60, onnotice: () => {}, fetch_types: false,
    connection: {
      application_name: 'blotter-console', role: CONSOLE_ROLE, TimeZone: 'UTC',
      statement_timeout: String(o.timeoutMs), idle_in_transaction_session_timeout: String(o.timeoutMs),
    } as Record<string, string>,
  });
}

function rows<T>(list: readonly { j: string }[]): T[] {
  return list.map((r) => parseExact(r.j) as T);
}

export type Role = 'viewer' | 'reviewer' | 'admin';
export type SignInRow = { name: string; role: Role; password_hash: string; must_change_password: boolean };

export async function userForSignIn(sql: postgres.Sql, name: string): Promise<SignInRow | null> {
  const [r] = await sql`select name, role, password_hash, must_change_password from console.user_for_sign_in(${name})`;
  return (r as SignInRow | undefined) ?? null;
}

export async function changePassword(sql: postgres.Sql, name: string, hash: string): Promise<void> {
  await sql`select console.change_password(${name}, ${hash})`;
}

export type TradingStatus = { account: string; status: 'ok' | 'halt'; reasons: string[]; last_run_at: string | null; open_breaks: number; critical_breaks: number; relay_state: string | null };
export type LastRun = { account: string; run_id: string; as_of: string; scope: string; recorded_at: string; entities: { entity: string; status: string; discrepancies: number; total: number }[] };
export type BreakCount = { account: string; severity: string | null; age: 'under 1 hour' | '1 to 24 hours' | '1 to 7 days' | 'over 7 days'; n: number };
export type ChainRow = { stream: string; verified_at: string | null; ok: boolean | null; rows_checked: number | null; first_bad_stream_seq: number | null; reason: string | null; head_stream_seq: number | null; rows_since: number | null };

export const AGES = ['under 1 hour', '1 to 24 hours', '1 to 7 days', 'over 7 days'] as const;

export async function overview(sql: postgres.Sql): Promise<{ status: TradingStatus[]; runs: LastRun[]; breaks: BreakCount[]; chain: ChainRow[] }> {
  // JIT off: these views cost enough for PostgreSQL to JIT-compile plans that run in
  // milliseconds, which takes seconds (see tradingStatus in agent/ingest/http.ts).
  return sql.begin(async (tx) => {
    await tx`set local jit = off`;
    const status = rows<TradingStatus>(await tx`
      select row_to_json(s)::text as j from (
        select account, status, array_to_json(reasons) as reasons, last_run_at, open_breaks::int, critical_breaks::int, relay_state
          from recon.trading_status order by account) s`);
    const runs = rows<LastRun>(await tx`
      select row_to_json(x)::text as j from (
        select distinct on (r.account) r.account, r.run_id, r.as_of, r.scope, r.recorded_at,
               (select json_agg(json_build_object('entity', q.entity, 'status', q.status, 'discrepancies', q.discrepancies, 'total', q.total) order by q.entity)
                  from recon.runs q where q.run_id = r.run_id) as entities
          from recon.runs r
         -- the newest full run (what trading status counts), else the newest of any scope
         order by r.account, r.scope in ('all', 'hourly', 'close', 'weekly', 'monthly', 'manual') desc, r.seq desc) x`);
    const breaks = rows<BreakCount>(await tx`
      select row_to_json(x)::text as j from (
        select account, severity_now as severity,
               case when now() - first_seen_at < interval '1 hour' then 'under 1 hour'
                    when now() - first_seen_at < interval '1 day' then '1 to 24 hours'
                    when now() - first_seen_at < interval '7 days' then '1 to 7 days' else 'over 7 days' end as age,
               count(*)::int as n
          from recon.breaks where status in ('open', 'acknowledged', 'escalated')
         group by 1, 2, 3 order by 1, recon.severity_rank(severity_now) desc nulls last, 3) x`);
    const chain = rows<ChainRow>(await tx`
      select row_to_json(c)::text as j from (
        select stream, verified_at, ok, rows_checked, first_bad_stream_seq, reason, head_stream_seq, rows_since from reports.chain_status order by stream) c`);
    return { status, runs, breaks, chain };
  });
}

export type BreakFilter = { account?: string; category?: string; severity?: string; state?: string; age?: string };
export const STATES = ['unresolved', 'open', 'acknowledged', 'escalated', 'resolved', 'cleared', 'all'] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
// Minimum age of a break, as the filter offers it.
export const MIN_AGES: Record<string, string> = { '1h': '1 hour', '1d': '1 day', '7d': '7 days' };

export async function filterBreaks(sql: postgres.Sql, f: BreakFilter, limit: number): Promise<Break[]> {
  const states = f.state === undefined || f.state === 'unresolved' ? ['open', 'acknowledged', 'escalated'] : f.state === 'all' ? null : [f.state];
  return rows<Break>(await sql`
    select row_to_json(b)::text as j from recon.breaks b
     where true
       ${f.account ? sql`and b.account = ${f.account}` : sql``}
       ${f.category ? sql`and b.category = ${f.category}` : sql``}
       ${f.severity ? sql`and b.severity_now = ${f.severity}` : sql``}
       ${states ? sql`and b.status in (select jsonb_array_elements_text(${JSON.stringify(states)}::text::jsonb))` : sql``}
       ${f.age && MIN_AGES[f.age] ? sql`and b.first_seen_at <= now() - ${MIN_AGES[f.age]!}::interval` : sql``}
     order by recon.severity_rank(b.severity_now) desc nulls last, b.first_seen_at, b.break_id
     limit ${limit}`);
}

// What the filters offer: the accounts and categories there are breaks for.
export async function breakFacets(sql: postgres.Sql): Promise<{ accounts: string[]; categories: string[] }> {
  const [r] = await sql`select coalesce(json_agg(distinct account)::text, '[]') as a, coalesce(json_agg(distinct category)::text, '[]') as c from recon.breaks`;
  return { accounts: (JSON.parse(r!.a as string) as string[]).sort(), categories: (JSON.parse(r!.c as string) as string[]).sort() };
}

export type History = HistoryItem & { via: string | null; db_role: string | null; db_user: string | null };
export type BreakEvent = { seq: string; stream: string; stream_seq: string; recorded_at: string; occurred_at: string; source: string; event_type: string; entity_type: string | null; entity_id: string | null; account: string | null; order_id: string | null; exec_id: string | null };

export async function breakDetail(sql: postgres.Sql, id: string): Promise<{ break: Break; history: History[]; events: BreakEvent[] } | null> {
  const [b] = rows<Break>(await sql`select row_to_json(b)::text as j from recon.breaks b where b.break_id = ${id}`);
  if (!b) return null;
  const history = rows<History>(await sql`select row_to_json(h)::text as j from recon.break_history h where h.break_id = ${id} order by h.seq`);
  const events = await sql<BreakEvent[]>`
    select seq::text, stream, stream_seq::text, recorded_at, occurred_at, source, event_type, entity_type, entity_id, account, order_id, exec_id
      from console.break_events(${id}, 50)`;
  return { break: b, history, events: events.map((e) => ({ ...e, recorded_at: iso(e.recorded_at), occurred_at: iso(e.occurred_at) })) };
}

export type ReviewOutcome = { ok: true; status: string } | { ok: false; status: number; message: string };

const NO_DATA_FOUND = 'P0002';
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';
const INVALID_PARAMETER_VALUE = '22023';

// A review in the person's name; the database's refusals said for the page.
export async function review(sql: postgres.Sql, person: string, id: string, action: string, note: string | null): Promise<ReviewOutcome> {
  try {
    const [r] = await sql`select console.review_break(${person}, ${id}, ${action}, ${note}) as status`;
    return { ok: true, status: r!.status as string };
  } catch (err) {
    const e = err as Error & { code?: string };
    const message = e.message.replace(/^(console|recon)\.review_break: /, '');
    if (e.code === PG.INSUFFICIENT_PRIVILEGE) return { ok: false, status: 403, message };
    if (e.code === NO_DATA_FOUND) return { ok: false, status: 404, message };
    if (e.code === OBJECT_NOT_IN_PREREQUISITE_STATE) return { ok: false, status: 409, message };
    if (e.code === INVALID_PARAMETER_VALUE) return { ok: false, status: 400, message };
    throw err;
  }
}

export type LedgerRow = {
  seq: string; stream: string; stream_seq: string; recorded_at: string; occurred_at: string; source: string; event_type: string;
  entity_type: string | null; entity_id: string | null; account: string | null; actor: string | null; payload: string; prev_hash: string; hash: string;
};
export type Search = { stream?: string; account?: string; order?: string; exec?: string; type?: string; from?: string; to?: string };

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d));

// Timestamps as text with all their digits (postgres.js would make a Date of them, losing microseconds).
export async function searchEvents(sql: postgres.Sql, s: Search, limit: number): Promise<LedgerRow[]> {
  return sql<LedgerRow[]>`
    select seq::text, stream, stream_seq::text, to_char(recorded_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as recorded_at,
           to_char(occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at, source, event_type, entity_type, entity_id, account, actor,
           payload::text as payload, prev_hash, hash
      from console.search_events(${s.stream ?? null}, ${s.account ?? null}, ${s.order ?? null}, ${s.exec ?? null}, ${s.type ?? null},
                                 ${s.from ?? null}::text::timestamptz, ${s.to ?? null}::text::timestamptz, ${limit})`;
}

export async function eventBySeq(sql: postgres.Sql, seq: string): Promise<(LedgerRow & { head_stream_seq: string | null }) | null> {
  const [r] = await sql<(LedgerRow & { head_stream_seq: string | null })[]>`
    select e.seq::text, e.stream, e.stream_seq::text, to_char(e.recorded_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as recorded_at,
           to_char(e.occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at, e.source, e.event_type, e.entity_type, e.entity_id, e.account,
           privacy.reveal(e.actor) as actor, jsonb_pretty(privacy.reveal_json(e.payload)) as payload, encode(e.prev_hash, 'hex') as prev_hash, encode(e.hash, 'hex') as hash,
           (select s.stream_seq::text from ledger.streams s where s.stream = e.stream) as head_stream_seq
      from ledger.events e where e.seq = ${seq}::bigint`;
  return r ?? null;
}

export type VerifyRow = { stream: string; rows_checked: string; first_bad_stream_seq: string | null; reason: string | null; detail: string | null };

// One stream's chain recomputed by ledger.verify (every link, gaps, the head, checkpoints).
export async function verifyStream(sql: postgres.Sql, stream: string): Promise<VerifyRow | null> {
  const [r] = await sql<VerifyRow[]>`select stream, rows_checked::text, first_bad_stream_seq::text, reason, detail from ledger.verify(${stream})`;
  return r ?? null;
}
