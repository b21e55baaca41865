// /metrics through prom-client, the ecosystem's registry: counters for what only grows,
// gauges for levels, histograms for latencies and sizes, and Node's default process
// metrics (CPU, memory, event-loop lag, GC). One registry per agent, never the global
// one, so several agents in one process (the tests) do not collide.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export function createRegistry() {
    const registry = new Registry();
    // Explicit: the event-loop delay monitor samples every 10 ms (prom-client's default).
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    return registry;
}
// A counter whose value another module keeps (the writer's stats, the log sink's): read at
// scrape time, so the hot path pays nothing for it.
export function counterOf(registry, name, help, read) {
    return new Counter({
        name, help, registers: [registry],
        collect() {
            this.reset();
            this.inc(read());
        },
    });
}
// A gauge read at scrape time.
export function gaugeOf(registry, name, help, read) {
    return new Gauge({
        name, help, registers: [registry],
        collect() {
            this.set(read());
        },
    });
}
// The latest value of each metric the bot posts, one series per name and label set. The
// label names differ from one bot metric to the next, which prom-client's Gauge (a fixed
// label set) cannot hold, so this is a collector of its own. Values are shown as numbers
// (Prometheus reads float64 anyway; ops.metrics keeps the bot's exact digits). Bounded: a new series beyond maxSeries is refused and counted.
export class BotMetrics {
    name;
    help;
    maxSeries;
    series = new Map();
    dropped;
    constructor(registry, name, help, maxSeries = 10_000) {
        this.name = name;
        this.help = help;
        this.maxSeries = maxSeries;
        this.dropped = new Counter({ name: `${name}_series_dropped_total`, help: 'Bot metric series refused for exceeding the series limit', registers: [registry] });
        // The registry asks any metric for get(); it needs nothing else of this one.
        registry.registerMetric(this);
    }
    // False when the series is new and the limit is reached (nothing kept).
    set(name, labels, value) {
        const sorted = Object.keys(labels).sort();
        const key = JSON.stringify([name, ...sorted.map((k) => [k, labels[k]])]);
        const s = this.series.get(key);
        if (s) {
            s.value = Number(value);
            return true;
        }
        if (this.series.size >= this.maxSeries) {
            this.dropped.inc();
            return false;
        }
        const all = { name };
        for (const k of sorted)
            all[k] = labels[k];
        this.series.set(key, { labels: all, value: Number(value) });
        return true;
    }
    get() {
        return { name: this.name, help: this.help, type: 'gauge', aggregator: 'omit', values: [...this.series.values()] };
    }
}
