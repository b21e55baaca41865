import { GENESIS_HASH, rowHash } from "./format.js";
class StreamCheck {
    rows = 0;
    lastSeq = 0n;
    lastHash = GENESIS_HASH;
    checkpoint = null;
    // Hashes at the stream_seqs named by digests, to compare once the stream is read.
    wanted = new Map();
    bad = null;
    stream;
    constructor(stream) {
        this.stream = stream;
    }
    add(r) {
        this.rows++;
        if (!this.bad) {
            const expected = this.lastSeq + 1n;
            if (r.streamSeq !== expected) {
                this.bad = { seq: r.streamSeq > expected ? expected : r.streamSeq, reason: 'gap', detail: `stream_seq ${r.streamSeq} follows ${this.lastSeq}` };
            }
            else if (!r.prevHash.equals(this.lastHash)) {
                this.bad = { seq: r.streamSeq, reason: 'broken link', detail: 'prev_hash is not the hash of the row before' };
            }
            else if (!rowHash(r.prevHash, r).equals(r.hash)) {
                this.bad = { seq: r.streamSeq, reason: 'hash mismatch', detail: "hash does not match the row's contents" };
            }
        }
        if (this.wanted.has(r.streamSeq))
            this.wanted.set(r.streamSeq, r.hash);
        this.lastSeq = r.streamSeq;
        this.lastHash = r.hash;
    }
    report() {
        const b = this.bad;
        return {
            stream: this.stream, rowsChecked: this.rows, checkpoint: this.checkpoint === null ? null : this.checkpoint.toString(), ok: !b,
            firstBadStreamSeq: b ? b.seq.toString() : null, reason: b?.reason ?? null, detail: b?.detail ?? null,
        };
    }
}
function hex(b) {
    return b.toString('hex');
}
export async function verifyLedger(sql, opts = {}) {
    const checks = new Map();
    const check = (stream) => {
        let c = checks.get(stream);
        if (!c)
            checks.set(stream, (c = new StreamCheck(stream)));
        return c;
    };
    for (const d of opts.digests ?? []) {
        if (!opts.stream || d.stream === opts.stream)
            check(d.stream).wanted.set(BigInt(d.streamSeq), null);
    }
    // Timestamps are read as exact epoch microseconds, the payload as jsonb's own text;
    // both are what docs/ledger-format.md hashes. One repeatable-read snapshot for all reads.
    await sql.begin('isolation level repeatable read read only', async (tx) => {
        const filter = opts.stream === undefined ? tx `` : tx `where stream = ${opts.stream}`;
        // A purged stream's first remaining row links to its checkpoint, not to genesis.
        const checkpoints = await tx `
      select distinct on (stream) stream, stream_seq::text as stream_seq, hash
        from ledger.checkpoints ${filter} order by stream, stream_seq desc`;
        for (const k of checkpoints) {
            const c = check(k.stream);
            c.checkpoint = c.lastSeq = BigInt(k.stream_seq);
            c.lastHash = k.hash;
            c.wanted.set(c.checkpoint, c.lastHash);
        }
        const cursor = tx `
      select stream, stream_seq::text as stream_seq,
             (extract(epoch from recorded_at) * 1000000)::bigint::text as recorded_at_us,
             (extract(epoch from occurred_at) * 1000000)::bigint::text as occurred_at_us,
             source, event_type, entity_type, entity_id, account, actor, session_id,
             idempotency_key, payload::text as payload, prev_hash, hash
        from ledger.events e ${filter}
       order by e.stream, e.stream_seq`.cursor(opts.batchRows ?? 5000);
        for await (const batch of cursor) {
            for (const r of batch) {
                check(r.stream).add({
                    stream: r.stream, streamSeq: BigInt(r.stream_seq), recordedAtUs: BigInt(r.recorded_at_us),
                    occurredAtUs: BigInt(r.occurred_at_us), source: r.source, eventType: r.event_type,
                    entityType: r.entity_type, entityId: r.entity_id, account: r.account, actor: r.actor,
                    sessionId: r.session_id, idempotencyKey: r.idempotency_key, payload: r.payload,
                    prevHash: r.prev_hash, hash: r.hash,
                });
            }
        }
        const heads = await tx `select stream, stream_seq::text as stream_seq, hash from ledger.streams ${filter}`;
        for (const h of heads) {
            const c = check(h.stream);
            if (c.bad)
                continue;
            const headSeq = BigInt(h.stream_seq);
            if (c.rows === 0 && c.checkpoint === null)
                c.bad = { seq: headSeq, reason: 'head mismatch', detail: `head at stream_seq ${headSeq} but the stream has no rows` };
            else if (headSeq !== c.lastSeq)
                c.bad = { seq: headSeq < c.lastSeq ? headSeq : c.lastSeq, reason: 'head mismatch', detail: `head at stream_seq ${headSeq}, last row at ${c.lastSeq}` };
            else if (!h.hash.equals(c.lastHash))
                c.bad = { seq: headSeq, reason: 'head mismatch', detail: "head hash differs from the last row's hash" };
        }
        const headStreams = new Set(heads.map((h) => h.stream));
        for (const c of checks.values()) {
            if (!c.bad && c.rows > 0 && !headStreams.has(c.stream)) {
                c.bad = { seq: c.lastSeq, reason: 'head mismatch', detail: `no head for a stream whose last row is stream_seq ${c.lastSeq}` };
            }
        }
    });
    for (const d of opts.digests ?? []) {
        if (opts.stream && d.stream !== opts.stream)
            continue;
        const c = check(d.stream);
        if (c.bad)
            continue;
        const seq = BigInt(d.streamSeq);
        // Rows before the checkpoint were purged: their archive holds them (verify-archive).
        if (c.checkpoint !== null && seq < c.checkpoint)
            continue;
        const found = c.wanted.get(seq);
        if (!found) {
            c.bad = { seq, reason: 'digest mismatch', detail: `digest of ${d.takenAt} names stream_seq ${seq}, the stream ends at ${c.lastSeq}` };
        }
        else if (hex(found) !== d.hash) {
            c.bad = { seq, reason: 'digest mismatch', detail: `row ${seq} hash ${hex(found).slice(0, 16)}… differs from digest of ${d.takenAt} (${d.hash.slice(0, 16)}…)` };
        }
    }
    return [...checks.values()].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0)).map((c) => c.report());
}
