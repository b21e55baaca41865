// Crypto-shredding: a person's identifying fields (privacy.fields) reach the database only
// as tokens, so the chain hashes ciphertext; the views show the plaintext while the
// subject's key exists; `blotter erase-subject` destroys the key, after which the views show
// [erased], both verifiers still pass, the plaintext is in no table of the database, and the
// ledger holds a subject_erased event with no personal data. Method: events and log lines go
// in through the agent's HTTP API and `blotter append` (COPY), the erasure through the CLI;
// every table's rows are searched as text for the plaintext.
import t from 'tap';
import { loginAs, runCli, testDb } from "./helpers/db.js";
import { inProcessAgent, post, until } from "./helpers/agent.js";
const db = await testDb(t);
const { url, sql } = db;
const env = { DATABASE_URL: url };
const NAME = 'Zelda.Quux@Example.org';
const EMAIL = 'zq.private@example.net';
const OTHER = 'yorick.keep@example.com';
const action = (key, actor, extra = {}) => ({
    event_type: 'user_action', occurred_at: '2026-11-26T15:00:00.000001Z', actor, idempotency_key: key,
    payload: { action: 'pause_trading', reason: 'lunch', details: { email: EMAIL, desk: 'eq' }, ...extra },
});
const count = async () => (await sql `select count(*)::int as n from ledger.events`)[0].n;
// Every ordinary table and materialized view of the database, each row as text, searched
// case-insensitively: where is `needle` stored in the clear?
async function whereStored(needle) {
    const rels = await sql `select format('%I.%I', n.nspname, c.relname) as rel from pg_class c join pg_namespace n on n.oid = c.relnamespace
                          where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;
    const found = [];
    for (const { rel } of rels) {
        const [r] = await sql.unsafe(`select count(*)::int as n from ${rel} x where x::text ilike $1`, [`%${needle}%`]);
        if (r.n > 0)
            found.push(rel);
    }
    return found;
}
const agent = await inProcessAgent(t, url);
t.test('personal fields are stored as tokens, everywhere they come in; views show the plaintext', async (t) => {
    const r = await post(agent.port, '/v1/events', [action('ua-1', NAME), action('ua-2', OTHER, { action: 'resume_trading' })]);
    t.equal(r.status, 202, JSON.stringify(r.body));
    const line = JSON.stringify({ event_type: 'config_change', occurred_at: '2026-11-26T15:01:00Z', actor: NAME, source: 'user',
        payload: { key: 'risk.max_position', old: 100, new: 200, reason: 'more room' } });
    const a = await runCli(['append', '-'], { env, input: line + '\n' });
    t.equal(a.code, 0, a.stderr);
    const logs = await post(agent.port, '/v1/logs', [{ level: 'info', category: 'user', msg: 'paused by a person', fields: { email: EMAIL, user: NAME, n: 1 } }]);
    t.equal(logs.status, 202, JSON.stringify(logs.body));
    await until(async () => (await count()) === 3 && (await sql `select count(*)::int as n from ops.logs where msg = 'paused by a person'`)[0].n === 1);
    const raw = await sql `select actor, payload::text as payload, e::text as row from ledger.events e where event_type in ('user_action', 'config_change') order by seq`;
    for (const x of raw) {
        t.match(x.actor, /^pii:v1:[0-9a-f-]{36}:[A-Za-z0-9+/=]+$/, 'actor stored as a token');
        t.notMatch(x.row.toLowerCase(), /zelda|zq\.private|yorick/, 'no plaintext anywhere in the stored row');
    }
    t.match(raw[0].payload, /"email": "pii:v1:/, 'details.email stored as a token');
    t.match(raw[0].payload, /"desk": "eq"/, 'fields not listed are left alone');
    const [log] = await sql `select l::text as row, fields from ops.logs l where msg = 'paused by a person'`;
    t.notMatch(log.row.toLowerCase(), /zelda|zq\.private/, 'no plaintext in the log row');
    t.equal(log.fields.n, 1);
    t.same(await whereStored('zelda.quux'), [], 'the name is in no table in the clear');
    t.same(await whereStored('zq.private'), [], 'nor the e-mail');
    const views = await sql `select actor, details ->> 'email' as email from ledger.user_actions order by seq`;
    t.same(views.map((v) => [v.actor, v.email]), [[NAME, EMAIL], [OTHER, EMAIL]], 'ledger.user_actions shows the plaintext');
    const [cc] = await sql `select actor from reports.config_changes`;
    t.equal(cc.actor, NAME, 'reports.config_changes too');
    const shown = await runCli(['logs', '--grep', 'paused', '--json'], { env });
    t.equal(JSON.parse(shown.stdout).fields.email, EMAIL, 'blotter logs shows the plaintext');
    const same = await sql `select count(distinct subject_id)::int as n from privacy.subject_keys`;
    t.equal(same[0].n, 3, 'one subject per identifier (the name in two events, any case, is one)');
});
t.test('a retried user_action is a duplicate, a changed one a conflict (the ledger compares plaintext)', async (t) => {
    // a fresh agent knows no keys in memory: the ledger answers (ledger.compare_keys)
    const asAgent = await loginAs(t, db, 'blotter_agent', 'pii_agent1');
    const item = (actor, payload) => JSON.stringify([{ k: 'ua-1', stream: 'bot', source: 'bot', event_type: 'user_action',
            occurred_at: '2026-11-26T15:00:00.000001Z', entity_type: 'user_action', entity_id: null, account: null, actor, payload }]);
    const cmp = async (actor, payload) => (await asAgent `select same from ledger.compare_keys(${item(actor, payload)}::text::jsonb)`)[0]?.same;
    t.equal(await cmp(NAME, action('ua-1', NAME).payload), true, 'ledger.compare_keys: the same event');
    t.equal(await cmp(NAME.toLowerCase(), action('ua-1', NAME).payload), false, 'another spelling is another event');
    t.equal(await cmp(NAME, { ...action('ua-1', NAME).payload, details: { email: 'x@example.net', desk: 'eq' } }), false, 'another e-mail too');
    const before = await count();
    // Through the API: a fresh agent knows no keys in memory, so the ledger answers. Its
    // lookup gives up after 200 ms (the ledger then drops the retry unseen): on a busy
    // machine a first answer can be `accepted`, so a few fresh agents get a chance.
    let statuses = [];
    for (let attempt = 0; attempt < 3 && statuses[0] !== 'duplicate'; attempt++) {
        const fresh = await inProcessAgent(t, url);
        await post(fresh.port, '/v1/events', [action(`warm-${attempt}`, OTHER, { action: 'warm_up', details: { desk: 'eq' } })]);
        const r = await post(fresh.port, '/v1/events', [action('ua-1', NAME), action('ua-1', NAME.toUpperCase())]);
        statuses = r.body.items.map((i) => i.status);
    }
    t.same(statuses, ['duplicate', 'conflict']);
    await until(async () => (await count()) >= before + 1);
    const fresh = await inProcessAgent(t, url);
    const r2 = await post(fresh.port, '/v1/events', [action('ua-2', OTHER, { action: 'resume_trading', details: { email: 'someone.else@example.net', desk: 'eq' } })]);
    t.same(r2.body.items.map((i) => i.status), ['conflict'], 'a different e-mail is a different event');
    await new Promise((res) => setTimeout(res, 300));
    const warm = (await sql `select count(*)::int as n from ledger.user_actions where action = 'warm_up'`)[0].n;
    t.equal(await count(), before + warm, 'nothing written but the warm-up events');
    // A reused key that reaches the ledger is dropped before it can make a subject.
    const subjects = async () => (await sql `select count(*)::int as n from privacy.subject_keys`)[0].n;
    const s0 = await subjects();
    await sql `insert into ledger.events (stream, occurred_at, source, event_type, actor, idempotency_key, payload)
            values ('bot', now(), 'bot', 'user_action', 'new.person@example.org', 'ua-1', '{"action": "x"}')`;
    t.same([await count(), await subjects()], [before + warm, s0], 'no row, no subject');
});
t.test('refused erasures change nothing', async (t) => {
    const before = { events: await count(), keys: (await sql `select count(*)::int as n from privacy.subject_keys where key is not null`)[0].n };
    const noReason = await runCli(['erase-subject', NAME], { env });
    t.equal(noReason.code, 2);
    t.match(noReason.stderr, /--reason TEXT is required/);
    const blank = await runCli(['erase-subject', NAME, '--reason', '  '], { env });
    t.equal(blank.code, 2);
    const noId = await runCli(['erase-subject', '--reason', 'x'], { env });
    t.equal(noId.code, 2);
    const unknown = await runCli(['erase-subject', 'nobody@example.org', '--reason', 'ticket 1'], { env });
    t.equal(unknown.code, 1);
    t.match(unknown.stderr, /no subject "nobody@example\.org": never recorded, or erased already.*nothing was erased \[NO_SUBJECT\]/);
    const naming = await runCli(['erase-subject', NAME, '--reason', `request from ${NAME.toLowerCase()}`], { env });
    t.equal(naming.code, 1);
    t.match(naming.stderr, /must not contain the identifier/);
    const oneUnknown = await runCli(['erase-subject', NAME, 'nobody@example.org', '--reason', 'ticket 1'], { env });
    t.equal(oneUnknown.code, 1, 'several IDs: all or none');
    t.same({ events: await count(), keys: (await sql `select count(*)::int as n from privacy.subject_keys where key is not null`)[0].n }, before);
});
t.test('roles other than the owner cannot read the keys or erase', async (t) => {
    for (const role of ['blotter_bi', 'blotter_auditor', 'blotter_agent', 'blotter_reviewer']) {
        const login = await loginAs(t, db, role, `pii_${role.replace('blotter_', '')}`);
        for (const q of ['select * from privacy.subject_keys', 'select * from privacy.install_secret', `select * from privacy.erase_subject('x', 'y')`,
            `select privacy.set_fields('{}')`, `select privacy.protect('x')`]) {
            await t.rejects(login.unsafe(q), { code: '42501' }, `${role}: ${q}`);
        }
    }
    const auditor = await loginAs(t, db, 'blotter_auditor', 'pii_auditor2');
    const [v] = await auditor `select actor from ledger.user_actions order by seq limit 1`;
    t.equal(v.actor, NAME, 'the auditor reads the plaintext through the views');
});
t.test('erase-subject: views show [erased], both verifiers pass, the plaintext is gone, the erasure is recorded', async (t) => {
    const r = await runCli(['erase-subject', NAME.toLowerCase(), EMAIL, '--reason', 'GDPR request #42', '--json'], { env });
    t.equal(r.code, 0, r.stderr);
    const done = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    t.same(done.map((d) => [d.status, d.events, d.logs]), [['erased', '2', '1'], ['erased', '2', '1']], 'counts: rows holding each subject\'s tokens');
    const views = await sql `select actor, details ->> 'email' as email from ledger.user_actions where action <> 'warm_up' order by seq`;
    t.same(views.map((v) => [v.actor, v.email]), [['[erased]', '[erased]'], [OTHER, '[erased]']]);
    const [cc] = await sql `select actor from reports.config_changes`;
    t.equal(cc.actor, '[erased]');
    const [ua] = await sql `select actor from reports.user_actions order by seq limit 1`;
    t.equal(ua.actor, '[erased]');
    const shown = await runCli(['logs', '--grep', 'paused', '--json'], { env });
    t.same([JSON.parse(shown.stdout).fields.email, JSON.parse(shown.stdout).fields.user], ['[erased]', '[erased]']);
    const verify = await runCli(['verify'], { env });
    t.equal(verify.code, 0, verify.stdout + verify.stderr);
    t.match(verify.stdout, /chain intact/);
    const bad = await sql `select * from ledger.verify() where first_bad_stream_seq is not null or reason is not null`;
    t.same(bad, [], 'ledger.verify() finds nothing wrong');
    for (const needle of ['zelda.quux', 'zq.private'])
        t.same(await whereStored(needle), [], `${needle}: in no table, keys and logs included`);
    const keys = await sql `select key, lookup, erased_reason from privacy.subject_keys where erased_at is not null`;
    t.same(keys.map((k) => [k.key, k.lookup, k.erased_reason]), [[null, null, 'GDPR request #42'], [null, null, 'GDPR request #42']]);
    t.equal((await sql `select count(*)::int as n from privacy.subject_keys where key is not null`)[0].n, 1, 'the other subject keeps its key');
    const erased = await sql `select stream, source, event_type, entity_id, payload, e::text as row from ledger.events e where event_type = 'subject_erased' order by seq`;
    t.equal(erased.length, 2);
    t.same(erased.map((e) => [e.stream, e.source, e.entity_id]), done.map((d) => ['privacy', 'system', d.subjectId]));
    t.same(Object.keys(erased[0].payload).sort(), ['events', 'logs', 'reason', 'subject_id', 'subject_since']);
    for (const e of erased)
        t.notMatch(e.row.toLowerCase(), /zelda|zq\.private|example/, 'no personal data in the erasure event');
});
t.test('erasing again is idempotent by subject id; by identifier the subject is no longer found', async (t) => {
    const [s] = await sql `select subject_id::text as id from privacy.subject_keys where erased_at is not null order by erased_at limit 1`;
    const before = await count();
    const again = await runCli(['erase-subject', s.id, '--reason', 'GDPR request #42'], { env });
    t.equal(again.code, 0, again.stderr);
    t.match(again.stdout, new RegExp(`subject ${s.id} was erased already \\(recorded at seq \\d+\\)`));
    const byName = await runCli(['erase-subject', NAME, '--reason', 'GDPR request #42'], { env });
    t.equal(byName.code, 1);
    t.match(byName.stderr, /NO_SUBJECT/);
    t.equal(await count(), before, 'nothing appended');
});
t.test('after erasure: a retry of an erased event is a conflict; a new event by the same name is a new subject', async (t) => {
    // what the API asks (its own lookup gives up after 200 ms on a busy machine: ask directly)
    const asAgent = await loginAs(t, db, 'blotter_agent', 'pii_agent2');
    const item = (actor) => JSON.stringify([{ k: 'ua-1', stream: 'bot', source: 'bot', event_type: 'user_action', occurred_at: '2026-11-26T15:00:00.000001Z',
            entity_type: 'user_action', entity_id: null, account: null, actor, payload: action('ua-1', actor).payload }]);
    const [cmp] = await asAgent `select same from ledger.compare_keys(${item(NAME)}::text::jsonb)`;
    t.equal(cmp.same, false, 'the stored event reads [erased] now: a retry is a conflict');
    const fresh = await inProcessAgent(t, url);
    const r = await post(fresh.port, '/v1/events', [action('ua-3', NAME)]);
    t.same(r.body.items.map((i) => i.status), ['accepted']);
    await until(async () => (await sql `select count(*)::int as n from ledger.user_actions where idempotency_key = 'ua-3'`)[0].n === 1);
    const [v] = await sql `select actor from ledger.user_actions where idempotency_key = 'ua-3'`;
    t.equal(v.actor, NAME, 'new processing gets a new key');
    const [old] = await sql `select actor from ledger.user_actions where idempotency_key = 'ua-1'`;
    t.equal(old.actor, '[erased]', 'and does not bring the old records back');
});
t.test('the privacy section of the config is applied at start, and a change is recorded', async (t) => {
    const changes = async () => (await sql `select count(*)::int as n from ledger.events where event_type = 'privacy_fields_changed'`)[0].n;
    t.equal(await changes(), 0, 'the shipped defaults are the migration\'s: no change at start');
    await inProcessAgent(t, url, { BLOTTER_PRIVACY_FIELDS: 'user_action:actor,log:email' });
    t.equal(await changes(), 1);
    t.same((await sql `select spec from privacy.fields order by spec`).map((r) => r.spec), ['log:email', 'user_action:actor']);
    const [e] = await sql `select payload from ledger.events where event_type = 'privacy_fields_changed'`;
    t.same(e.payload.after, ['log:email', 'user_action:actor']);
    await t.rejects(sql `select privacy.set_fields(array['user_action:nonsense'])`, /privacy field user_action:nonsense: expected/);
    await t.rejects(sql `select privacy.set_fields(array['source=robot:actor'])`, /source must be/);
    t.equal(await changes(), 1, 'a refused list changes nothing');
});
