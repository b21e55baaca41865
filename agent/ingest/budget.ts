// A byte budget for one stage of the ingest path: what is held may not pass `limit`.
// Whoever takes bytes gives them back when the stage is done with them; a take that would
// pass the limit is refused, and the caller answers 503 (or waits), never grows. Health
// reports each stage's fill from here.
export class ByteBudget {
  readonly name: string;
  readonly limit: number;
  private held = 0;
  private high = 0;
  refusals = 0;

  constructor(name: string, limit: number) {
    this.name = name;
    this.limit = limit;
  }

  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) {
      this.refusals++;
      return false;
    }
    this.held += bytes;
    if (this.held > this.high) this.high = this.held;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  used(): number {
    return this.held;
  }

  // As health shows it: bytes held, the limit, the highest fill since start, refusals.
  fill(): StageFill {
    return { bytes: this.held, limit_bytes: this.limit, peak_bytes: this.high, refused: this.refusals };
  }
}

export type StageFill = { bytes: number; limit_bytes: number; peak_bytes: number; refused: number };
