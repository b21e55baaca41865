// The wire text of each incoming message, queued by message id until @stoqey/ib's decoded
// event for it fires (the decoder handles frames in order, so per-id FIFOs line up). The
// relay reads its records from this text by the message's layout: the decoder's
// parseFloat would round numbers, and it misreads some layouts.
import { RECORDED } from './layouts.ts';

const KEEP = new Set(RECORDED.map((l) => String(l.id)));
// Bounded: tokens whose event never comes (a decoder error) must not pile up.
const MAX_QUEUED = 10_000;

export class WireQueue {
  private readonly queues = new Map<string, string[][]>();
  dropped = 0;

  push(tokens: string[]): void {
    const id = tokens[0];
    if (id === undefined || !KEEP.has(id)) return;
    let q = this.queues.get(id);
    if (!q) this.queues.set(id, (q = []));
    q.push(tokens);
    if (q.length > MAX_QUEUED) {
      q.shift();
      this.dropped++;
    }
  }

  peek(id: string): string[] | undefined {
    return this.queues.get(id)?.[0];
  }

  take(id: string): string[] | undefined {
    return this.queues.get(id)?.shift();
  }
}
