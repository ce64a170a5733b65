import type { Attributes, Histogram, Meter, MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { createNoopMeter, ValueType } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { HistogramMetricData, MetricProducer, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { TalliedHistograms } from './tallied-histograms.js';

/** Collects on demand: the SDK's own reader base class, cumulative like the Prometheus exporter. */
class CollectingReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The plain SDK and the tallied one, side by side, each with its own reader. */
function bothProviders() {
  const plainReader = new CollectingReader();
  const plain = new MeterProvider({ readers: [plainReader] });
  const tallies = new TalliedHistograms();
  const talliedReader = new CollectingReader([tallies]);
  const sdk = new MeterProvider({ readers: [talliedReader] });
  const tallied = tallies.wrap(sdk);
  return {
    plain: { provider: plain as MeterProviderApi, reader: plainReader },
    tallied: { provider: tallied, reader: talliedReader },
    shutdown: () => Promise.all([plain.shutdown(), sdk.shutdown()]),
  };
}

const boundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

/** The same scripted measurements, with every case the SDK handles its own way. */
function recordScript(meter: Meter, round: number) {
  const latency = meter.createHistogram('request.duration', {
    description: 'Request duration',
    unit: 's',
    advice: { explicitBucketBoundaries: [...boundaries].reverse() }, // unsorted advice is sorted
  });
  const tokens = meter.createHistogram('token.usage', { unit: '{token}', valueType: ValueType.INT });
  const again = meter.createHistogram('request.duration', { description: 'Request duration', unit: 's' });
  const frozen = Object.freeze({ route: '/v1/chat', status: 200 });
  const mutable: Attributes = { route: '/v1/chat', status: 200 };
  const values = [0, 0.005, 0.0050001, 0.01, 0.3, 1, 5, 5.5, 120, Number.NaN, -1, 0.42 * round];
  for (const value of values) {
    latency.record(value, frozen);
    latency.record(value / 2, mutable);
    tokens.record(value * 100, { type: 'input', target: 'gpu' });
  }
  // Same set in another key order: the same series.
  latency.record(0.02, { status: 200, route: '/v1/chat' });
  // An object changed after use counts where its content says, whoever saw it before.
  mutable.status = 500;
  latency.record(0.07, mutable);
  latency.record(0.08, frozen);
  // No attributes at all, and an instrument created twice under one name.
  latency.record(0.2);
  again.record(0.9, frozen);
  tokens.record(7.9, Object.freeze({ type: 'output', target: 'gpu' })); // INT: truncated to 7
  (latency as Histogram).record('3' as unknown as number, frozen); // not a number: dropped
}

/** A histogram's points by attribute set, values whole (buckets, count, sum, min, max). */
function histogramPoints(resourceMetrics: ResourceMetrics, name: string) {
  const points = new Map<string, unknown>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of (metric as HistogramMetricData).dataPoints) {
        const key = JSON.stringify(Object.entries(point.attributes).sort());
        points.set(key, { ...point.value, sum: point.value.sum?.toFixed(12) });
      }
    }
  }
  return points;
}

/**
 * The Prometheus text exposition (the gateway's /metrics) of a collection, its lines sorted. Sums to 12 significant
 * digits: from its second collection on, the SDK adds a scrape's measurements up apart and then to the previous total,
 * a running total adds them one by one, and the two roundings can differ in the last bits.
 */
function exposition(resourceMetrics: ResourceMetrics): string[] {
  return new PrometheusSerializer(undefined, false, undefined, false, false)
    .serialize(resourceMetrics)
    .split('\n')
    .map((line) =>
      line.replace(/^(\S+_sum\{.*\}) (\S+)$/, (_, series, value) => `${series} ${Number(value).toPrecision(12)}`),
    )
    .sort();
}

describe('tallied histograms, against the OpenTelemetry SDK recording the same measurements', () => {
  it('exports the same buckets, counts, sums, min and max, and the same Prometheus text, scrape after scrape', async () => {
    const { plain, tallied, shutdown } = bothProviders();
    try {
      for (let round = 1; round <= 3; round += 1) {
        recordScript(plain.provider.getMeter('@switchyard/test', '1.0.0'), round);
        recordScript(tallied.provider.getMeter('@switchyard/test', '1.0.0'), round);
        const expected = (await plain.reader.collect()).resourceMetrics;
        const actual = (await tallied.reader.collect()).resourceMetrics;
        for (const name of ['request.duration', 'token.usage']) {
          const points = histogramPoints(actual, name);
          expect(points.size).toBeGreaterThan(0);
          expect(points).toEqual(histogramPoints(expected, name));
        }
        expect(exposition(actual)).toEqual(exposition(expected));
      }
      const duration = histogramPoints((await tallied.reader.collect()).resourceMetrics, 'request.duration');
      // The frozen and the mutable object shared a series until the mutable one changed; 500 is its own.
      expect([...duration.keys()]).toEqual(
        expect.arrayContaining([
          JSON.stringify([
            ['route', '/v1/chat'],
            ['status', 200],
          ]),
          JSON.stringify([
            ['route', '/v1/chat'],
            ['status', 500],
          ]),
          '[]',
        ]),
      );
    } finally {
      await shutdown();
    }
  });

  it('leaves every other instrument to the SDK and omits a histogram nothing was recorded into', async () => {
    const { tallied, shutdown } = bothProviders();
    try {
      const meter = tallied.provider.getMeter('@switchyard/test');
      expect(tallied.provider.getMeter('@switchyard/test')).toBe(meter);
      meter.createHistogram('never.recorded');
      meter.createCounter('plain.counter').add(3, { kind: 'a' });
      const gauge = meter.createObservableGauge('plain.gauge');
      gauge.addCallback((result) => result.observe(42));
      const { resourceMetrics } = await tallied.reader.collect();
      const names = resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((metric) => metric.descriptor.name),
      );
      expect(names.sort()).toEqual(['plain.counter', 'plain.gauge']);
    } finally {
      await shutdown();
    }
    // Once the SDK provider is shut down its meters are no-ops, and so are the wrapper's (as the router checks).
    expect(tallied.provider.getMeter('@switchyard/test')).toBeInstanceOf(createNoopMeter().constructor);
  });
});
