// `blotter flex import`: one Flex XML file (Activity or Trade Confirmation, any number of
// accounts) into the ledger, whole or not at all. The file is streamed through saxes (memory
// stays flat whatever its size) and every fact row is COPYed into the ledger as it is read,
// in one transaction that commits only when the document has ended cleanly; the chain
// trigger drops the keys already there, and what it added is counted per account and
// section. A malformed or truncated file, or a row the importer cannot read, rolls
// everything back and names the line.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type postgres from 'postgres';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { BlotterError } from '../errors.ts';
export { keepYoungGenerationSmall } from '../memory.ts';
import { openCopy } from '../ledger/copy.ts';
import type { LedgerEvent } from '../ledger/event.ts';
import { DateOrderScan, FlexDates, NeedDateOrder, type DateOrder } from './dates.ts';
import { rowEvent, RowError, statementEvent, type Occurrences, type StatementInfo } from './rows.ts';

export type SectionCount = { account: string; section: string; rows: number; new: number; known: number; skipped: number };
export type StatementSummary = { account: string; type: string; fromDate: string | null; toDate: string | null; period: string; whenGenerated: string | null; new: boolean };
export type ImportResult = {
  file: string; type: string; queryName: string; sha256: string; bytes: number;
  statements: StatementSummary[]; sections: SectionCount[];
  rows: number; new: number; known: number; skipped: number;
};
export type ImportOptions = {
  dateOrder?: DateOrder | null;
  onProgress?: (bytes: number, total: number) => void;
  // The import is one COPY in one transaction: on a connection with a short statement
  // timeout (the agent's), a large statement needs its own.
  statementTimeoutMs?: number;
};

const CHUNK = 64 * 1024;

export async function importFlexFile(sql: postgres.Sql, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  if (!fs.existsSync(file)) throw new BlotterError('INPUT_MISSING', `${file}: no such file`);
  if (!fs.statSync(file).isFile()) throw new BlotterError('INPUT_MISSING', `${file}: not a file`);
  try {
    return await importOnce(sql, file, opts.dateOrder ?? null, opts);
  } catch (err) {
    if (!(err instanceof NeedDateOrder)) throw err;
  }
  // The file writes dates as a/b/yyyy: read it once to learn which of a and b is the month.
  const scan = new DateOrderScan();
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK })) scan.push(chunk as string);
  return importOnce(sql, file, scan.result(file), opts);
}

type Key = string; // account \0 section

function hasAttributes(a: Record<string, string>): boolean {
  for (const _ in a) return true;
  return false;
}
const bump = (m: Map<Key, number>, k: Key, n = 1): void => {
  m.set(k, (m.get(k) ?? 0) + n);
};

async function importOnce(sql: postgres.Sql, file: string, order: DateOrder | null, opts: ImportOptions): Promise<ImportResult> {
  const onProgress = opts.onProgress;
  const total = fs.statSync(file).size;
  const dates = new FlexDates(order);
  const name = path.basename(file);
  const rows = new Map<Key, number>();
  const skipped = new Map<Key, number>();
  const statements: StatementInfo[] = [];
  let root: { type: string; queryName: string } | null = null;
  let declaredCount: number | null = null;
  let statementCount = 0;
  let serviceAnswer: string | null = null;
  let current: StatementInfo | null = null;
  let stRows: Record<string, number> = {};
  let stSkipped: Record<string, number> = {};
  // Sections the statement holds, empty ones too: "no positions" differs from "the query
  // has no positions section", and reconciliation must know which.
  let stSections = new Set<string>();
  const stack: string[] = [];
  const seen: Occurrences = new Map();
  const pending: Array<{ ev: LedgerEvent; section: string }> = [];
  const hash = createHash('sha256');
  const parser = new SaxesParser({ position: true });

  const where = (): string => `line ${parser.line}`;
  const refuse = (code: string, why: string): never => {
    throw new BlotterError(code, `${file}: ${why}; nothing was imported`);
  };

  const onRow = (section: string, node: SaxesTagPlain): void => {
    if (!current) return;
    const attrs = node.attributes;
    const k = `${current.account}\0${section}`;
    bump(rows, k);
    stRows[section] = (stRows[section] ?? 0) + 1;
    let outcome;
    try {
      outcome = rowEvent(current, section, node.name, attrs, dates, seen);
    } catch (err) {
      if (err instanceof RowError) refuse('FLEX_BAD_ROW', `${where()}: <${node.name}> in ${section}, attribute ${err.message}`);
      throw err;
    }
    if ('skipped' in outcome) {
      bump(skipped, k);
      stSkipped[section] = (stSkipped[section] ?? 0) + 1;
    } else pending.push({ ev: outcome.event, section });
  };

  parser.on('opentag', (node) => {
    const depth = stack.length;
    stack.push(node.name);
    const a = node.attributes as Record<string, string>;
    if (depth === 0) {
      if (node.name === 'FlexStatementResponse') { serviceAnswer = ''; return; }
      if (node.name !== 'FlexQueryResponse') refuse('FLEX_NOT_A_STATEMENT', `the document is <${node.name}>, not a Flex statement (<FlexQueryResponse>)`);
      const type = a.type ?? '';
      if (type !== 'AF' && type !== 'TCF') refuse('FLEX_NOT_A_STATEMENT', `FlexQueryResponse type is "${type}": blotter imports Activity (AF) and Trade Confirmation (TCF) statements`);
      root = { type, queryName: a.queryName ?? '' };
      return;
    }
    if (serviceAnswer !== null) return;
    if (depth === 1) {
      if (node.name === 'FlexStatements' && a.count !== undefined && /^\d+$/.test(a.count)) declaredCount = +a.count;
      return;
    }
    if (depth === 2 && node.name === 'FlexStatement') {
      const acct = a.accountId ?? '';
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(acct)) refuse('FLEX_BAD_ROW', `${where()}: <FlexStatement> accountId "${acct}" is not an account id`);
      const read = (attr: string): string | null => {
        const p = dates.parse(a[attr] ?? '');
        if (p === false) refuse('FLEX_BAD_ROW', `${where()}: <FlexStatement> ${attr} "${a[attr]}" is not a date`);
        return p ? FlexDates.instant(p) : null;
      };
      current = {
        type: root!.type, queryName: root!.queryName, account: acct, fromDate: read('fromDate'), toDate: read('toDate'),
        period: a.period ?? '', whenGenerated: read('whenGenerated'), whenGeneratedRaw: a.whenGenerated ?? '',
      };
      stRows = {};
      stSkipped = {};
      stSections = new Set();
      statementCount++;
      return;
    }
    // A section (its rows below it), or a bare element holding data itself
    // (AccountInformation, ChangeInNAV).
    if (depth === 3 && current) stSections.add(node.name);
    if (depth === 3 && hasAttributes(a)) onRow(node.name, node as SaxesTagPlain);
    else if (depth >= 4 && hasAttributes(a)) onRow(stack[3]!, node as SaxesTagPlain);
  });
  parser.on('text', (t) => {
    if (serviceAnswer !== null) serviceAnswer += t;
  });
  // saxes names neither the element a wrong end tag meets nor the one a truncated file
  // ends in; the refusal does (a person has to find the spot in a file of megabytes).
  let lastClosed = '';
  parser.on('closetag', (node) => {
    stack.pop();
    lastClosed = node.name;
    if (node.name === 'FlexStatement' && stack.length === 2 && current) {
      statements.push(current);
      pending.push({ ev: statementEvent(current, name, '', stRows, stSkipped, [...stSections].sort()), section: 'FlexStatement' });
      current = null;
    }
  });

  const staged = new Map<Key, number>();
  const newStatements = new Set<string>();
  const inserted = new Map<Key, number>();
  const sha = await sql.begin(async (tx) => {
    // Rows go straight into the ledger while the file is still being read (the server
    // chains them on its own core meanwhile); what this transaction added is found after,
    // from the heads the flex streams had before it.
    if (opts.statementTimeoutMs) {
      const ms = String(opts.statementTimeoutMs);
      await tx`select set_config('statement_timeout', ${ms}, true), set_config('idle_in_transaction_session_timeout', ${ms}, true)`;
    }
    const heads = new Map<string, string>();
    for (const r of await tx`select stream, stream_seq from ledger.streams where stream like 'flex:%'`) heads.set(r.stream as string, String(r.stream_seq));
    const sink = await openCopy(tx);
    const decoder = new StringDecoder('utf8');
    let bytes = 0;
    let digest = '';
    let first = true;
    try {
      for await (const buf of fs.createReadStream(file, { highWaterMark: CHUNK })) {
        hash.update(buf as Buffer);
        bytes += (buf as Buffer).length;
        let text = decoder.write(buf as Buffer);
        if (first) {
          text = text.replace(/^\uFEFF/, '');
          first = false;
        }
        try {
          parser.write(text);
        } catch (err) {
          throw malformed(err);
        }
        for (const { ev, section } of pending) {
          // statement events wait for the file's digest (below)
          if (ev.eventType === 'flex_statement') continue;
          bump(staged, `${ev.account}\0${section}`);
          await sink.write(ev);
        }
        const statementsSoFar = pending.filter((p) => p.ev.eventType === 'flex_statement');
        pending.length = 0;
        pending.push(...statementsSoFar);
        onProgress?.(bytes, total);
      }
      try {
        parser.write(decoder.end());
        parser.close();
      } catch (err) {
        throw malformed(err);
      }
      if (serviceAnswer !== null) {
        refuse('FLEX_NOT_A_STATEMENT', `this is a Flex Web Service answer, not a statement (${(serviceAnswer as string).replace(/\s+/g, ' ').trim().slice(0, 200)})`);
      }
      if (!root) refuse('FLEX_MALFORMED', 'the document is empty');
      if (declaredCount !== null && declaredCount !== statementCount) {
        refuse('FLEX_MALFORMED', `FlexStatements says count="${declaredCount}" but the file holds ${statementCount} FlexStatement element(s): it is incomplete`);
      }
      // The statement events know the file's digest only now; they are written last.
      digest = hash.digest('hex');
      for (const { ev } of pending) {
        const p = JSON.parse(ev.payload);
        p.sha256 = digest;
        await sink.write({ ...ev, payload: JSON.stringify(p) });
      }
      pending.length = 0;
    } catch (err) {
      await sink.abort(String(err));
      throw err;
    }
    await sink.end();
    const streams = [...new Set(statements.map((st) => `flex:${st.account}`))];
    const counts = await tx`select * from ledger.flex_appended(${streams}::text[], ${streams.map((st) => heads.get(st) ?? '0')}::bigint[])`;
    for (const r of counts) {
      if (r.event_type === 'flex_statement') newStatements.add(r.statement as string);
      else bump(inserted, `${r.account}\0${r.section}`, r.n as number);
    }
    return digest;
  });

  function malformed(err: unknown): Error {
    if (err instanceof BlotterError || err instanceof NeedDateOrder) return err;
    const msg = (err as Error).message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
    if (/^unclosed tag/.test(msg)) {
      return new BlotterError('FLEX_TRUNCATED', `${file}: line ${parser.line}: the file ends inside the document (${msg}): it is truncated; nothing was imported`);
    }
    // saxes runs the close handler for the element a wrong end tag meets, then fails
    const context = /^unexpected close tag/.test(msg) ? `, an end tag that does not close <${lastClosed}>` : stack.length > 0 ? `, inside <${stack.at(-1)}>` : '';
    return new BlotterError('FLEX_MALFORMED', `${file}: line ${parser.line}, column ${parser.column + 1}: not well-formed XML (${msg}${context}); nothing was imported`);
  }

  const sections: SectionCount[] = [...rows.entries()].map(([k, n]) => {
    const [account, section] = k.split('\0') as [string, string];
    const s = staged.get(k) ?? 0, added = inserted.get(k) ?? 0;
    return { account, section, rows: n, new: added, known: s - added, skipped: skipped.get(k) ?? 0 };
  }).sort((a, b) => a.account.localeCompare(b.account) || a.section.localeCompare(b.section));
  const sum = (f: (s: SectionCount) => number): number => sections.reduce((t, s) => t + f(s), 0);
  const r = root as unknown as { type: string; queryName: string };
  return {
    file, type: r.type, queryName: r.queryName, sha256: sha, bytes: total,
    statements: statements.map((s) => ({
      account: s.account, type: s.type, fromDate: s.fromDate, toDate: s.toDate, period: s.period, whenGenerated: s.whenGenerated,
      new: newStatements.has(`${s.account}:${s.type}:${s.fromDate ?? ''}:${s.toDate ?? ''}:${s.whenGenerated ?? s.whenGeneratedRaw}`),
    })),
    sections, rows: sum((s) => s.rows), new: sum((s) => s.new), known: sum((s) => s.known), skipped: sum((s) => s.skipped),
  };
}
