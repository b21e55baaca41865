// A small Prometheus registry: counters and gauges with labels, rendered in the text
// exposition format. Enough for /metrics without another dependency.
type Labels = Record<string, string>;

function key(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

class Metric {
  readonly values = new Map<string, number | string>();
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  constructor(name: string, help: string, type: 'counter' | 'gauge') {
    this.name = name;
    this.help = help;
    this.type = type;
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, Number(this.values.get(k) ?? 0) + by);
  }
  // Gauges may hold a decimal string (bot metrics keep their exact digits).
  set(labels: Labels, value: number | string): void {
    this.values.set(key(labels), value);
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];
  // Bounded: bot-defined series beyond this are dropped and counted.
  readonly maxSeries: number;
  constructor(maxSeries = 10_000) {
    this.maxSeries = maxSeries;
  }

  counter(name: string, help: string): Metric {
    return this.get(name, help, 'counter');
  }
  gauge(name: string, help: string): Metric {
    return this.get(name, help, 'gauge');
  }
  private get(name: string, help: string, type: 'counter' | 'gauge'): Metric {
    let m = this.metrics.get(name);
    if (!m) this.metrics.set(name, (m = new Metric(name, help, type)));
    return m;
  }
  series(): number {
    let n = 0;
    for (const m of this.metrics.values()) n += m.values.size;
    return n;
  }
  // Called before each render to refresh gauges computed from live state.
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }
  render(): string {
    for (const fn of this.collectors) fn();
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      for (const [k, v] of m.values) out.push(`${m.name}${k ? `{${k}}` : ''} ${v}`);
    }
    return out.join('\n') + '\n';
  }
}
