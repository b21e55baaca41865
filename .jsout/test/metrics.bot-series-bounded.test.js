// Bot-posted metrics appear on /metrics as the latest value per series, and the number of
// series is bounded: a new series past the limit is refused and counted, while the series
// already held keep updating. Method: a BotMetrics on its own registry, rendered by prom-client.
import t from 'tap';
import { BotMetrics, createRegistry } from "../agent/metrics.js";
t.test('latest value per series; new series past the limit are dropped and counted', async (t) => {
    const registry = createRegistry();
    const bot = new BotMetrics(registry, 'blotter_bot_metric', 'Latest value of each metric the bot posted', 2);
    t.equal(bot.set('open_orders', { strategy: 'b', book: 'x' }, '3'), true);
    t.equal(bot.set('open_orders', { book: 'x', strategy: 'b' }, '4.5'), true, 'same series whatever the label order');
    t.equal(bot.set('pnl', {}, '-1e3'), true);
    t.equal(bot.set('pnl', { desk: 'y' }, '1'), false, 'a third series is refused');
    t.equal(bot.set('pnl', {}, '7'), true, 'a series already held still updates');
    const text = await registry.metrics();
    t.match(text, /^# TYPE blotter_bot_metric gauge$/m);
    t.match(text, /^blotter_bot_metric\{name="open_orders",book="x",strategy="b"\} 4\.5$/m);
    t.match(text, /^blotter_bot_metric\{name="pnl"\} 7$/m);
    t.notMatch(text, /desk="y"/);
    t.match(text, /^# TYPE blotter_bot_metric_series_dropped_total counter$/m);
    t.match(text, /^blotter_bot_metric_series_dropped_total 1$/m);
});
