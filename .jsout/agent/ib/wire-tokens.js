// The wire text of each incoming message, queued by message id until @stoqey/ib's decoded
// event for it fires (the decoder handles frames in order, so per-id FIFOs line up). The
// relay reads its records from this text by the message's layout: the decoder's
// parseFloat would round numbers, and it misreads some layouts.
import { RECORDED } from "./layouts.js";
const KEEP = new Set(RECORDED.map((l) => String(l.id)));
// Bounded: tokens whose event never comes (a decoder error) must not pile up.
const MAX_QUEUED = 10_000;
export class WireQueue {
    queues = new Map();
    dropped = 0;
    push(tokens) {
        const id = tokens[0];
        if (id === undefined || !KEEP.has(id))
            return;
        let q = this.queues.get(id);
        if (!q)
            this.queues.set(id, (q = []));
        q.push(tokens);
        if (q.length > MAX_QUEUED) {
            q.shift();
            this.dropped++;
        }
    }
    peek(id) {
        return this.queues.get(id)?.[0];
    }
    take(id) {
        return this.queues.get(id)?.shift();
    }
}
