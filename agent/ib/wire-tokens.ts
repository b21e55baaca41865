// The wire text of each incoming message, queued by message id until @stoqey/ib's decoded
// event for it fires (the decoder handles frames in order, so per-id FIFOs line up). The
// relay takes numbers from this text: the decoder's parseFloat would round them.
const KEEP = new Set(['3', '4', '5', '6', '7', '11', '59', '61', '63', '94', '101']);
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

  take(id: string): string[] | undefined {
    return this.queues.get(id)?.shift();
  }
}
