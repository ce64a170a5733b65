import type {
  Attributes,
  BatchObservableCallback,
  Context,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';
import { createNoopMeter, diag, ValueType } from '@opentelemetry/api';
import type { CollectionResult, HistogramMetricData, MetricProducer, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, DataPointType, InstrumentType } from '@opentelemetry/sdk-metrics';

/** The SDK's default histogram buckets, for a histogram created without `advice.explicitBucketBoundaries`. */
const defaultBoundaries = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
/** The SDK's default cardinality limit per instrument; attribute sets past it go to one overflow series. */
const cardinalityLimit = 2000;
const overflowAttributes: Attributes = Object.freeze({ 'otel.metric.overflow': true });

type HrTime = [number, number];
const noopMeterClass = createNoopMeter().constructor as new () => Meter;
function hrTimeOf(milliseconds: number): HrTime {
  const seconds = Math.trunc(milliseconds / 1000);
  return [seconds, Math.round((milliseconds - seconds * 1000) * 1e6)];
}

/** The SDK's key for an attribute set (`hashAttributes`): sorted entries as JSON, so equal sets share a series. */
function keyOf(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/** One attribute set of one histogram, as the SDK's explicit-bucket aggregation keeps it (cumulative). */
class Series {
  readonly counts: number[];
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(
    readonly attributes: Attributes,
    readonly startTime: HrTime,
    buckets: number,
  ) {
    this.counts = new Array<number>(buckets).fill(0);
  }
}

/**
 * A histogram that keeps its own tallies instead of handing every measurement to the SDK. The SDK's `record` sorts
 * and JSON-encodes the attribute set of each measurement to find its series (there is no bound instrument to cache
 * that), about 1–1.5 µs a call; here a frozen attribute object finds its series by identity (a `WeakMap` lookup), and
 * only a new or mutable one is keyed as the SDK keys it. The tallies are exported by {@link TalliedHistograms} as the
 * SDK's own histogram data (same buckets, sum, count, min and max; cumulative, as the Prometheus exporter reads it).
 */
class TalliedHistogram implements Histogram {
  readonly #byObject = new WeakMap<Attributes, Series>();
  readonly #byKey = new Map<string, Series>();
  readonly #boundaries: readonly number[];
  readonly #integers: boolean;

  constructor(
    readonly descriptor: HistogramMetricData['descriptor'] & { type: InstrumentType; advice: object },
    boundaries: readonly number[],
  ) {
    this.#boundaries = boundaries;
    this.#integers = descriptor.valueType === ValueType.INT;
  }

  record(value: number, attributes: Attributes = {}, _context?: Context): void {
    // The SDK's checks, in its order: numbers only, never negative, integers truncated for an INT histogram.
    if (typeof value !== 'number') {
      diag.warn(`non-number value provided to metric ${this.descriptor.name}: ${value}`);
      return;
    }
    if (value < 0) {
      diag.warn(`negative value provided to histogram ${this.descriptor.name}: ${value}`);
      return;
    }
    if (this.#integers && !Number.isInteger(value)) {
      diag.warn(
        `INT value type cannot accept a floating-point value for ${this.descriptor.name}, ignoring the fractional digits.`,
      );
      value = Math.trunc(value);
      if (!Number.isInteger(value)) return;
    }
    const series = this.#byObject.get(attributes) ?? this.#seriesOf(attributes);
    if (Number.isNaN(value)) return;
    series.count += 1;
    series.sum += value;
    if (value < series.min) series.min = value;
    if (value > series.max) series.max = value;
    // The first bucket whose upper bound is >= value (buckets are (previous, bound]); the last one is +Inf.
    const boundaries = this.#boundaries;
    let low = 0;
    let high = boundaries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((boundaries[middle] as number) < value) low = middle + 1;
      else high = middle;
    }
    (series.counts[low] as number) += 1;
  }

  #seriesOf(attributes: Attributes): Series {
    const key = keyOf(attributes);
    let series = this.#byKey.get(key);
    if (series === undefined) {
      if (this.#byKey.size >= cardinalityLimit - 1) {
        const overflowKey = keyOf(overflowAttributes);
        series = this.#byKey.get(overflowKey);
        if (series === undefined) {
          series = new Series(overflowAttributes, hrTimeOf(Date.now()), this.#boundaries.length + 1);
          this.#byKey.set(overflowKey, series);
        }
        return series;
      }
      // The SDK keeps the first object it saw for a set; a copy here, so a caller mutating its object later
      // changes neither the exported attributes nor the series a frozen copy of it finds.
      series = new Series({ ...attributes }, hrTimeOf(Date.now()), this.#boundaries.length + 1);
      this.#byKey.set(key, series);
    }
    // Only an object that cannot change may skip the key next time.
    if (Object.isFrozen(attributes)) this.#byObject.set(attributes, series);
    return series;
  }

  /** The SDK's histogram data for this instrument, or `undefined` before its first measurement (as the SDK omits it). */
  collect(endTime: HrTime): HistogramMetricData | undefined {
    if (this.#byKey.size === 0) return undefined;
    const boundaries = [...this.#boundaries];
    const dataPoints: HistogramMetricData['dataPoints'] = [];
    for (const series of this.#byKey.values()) {
      const hasMinMax = series.count > 0;
      dataPoints.push({
        attributes: series.attributes,
        startTime: series.startTime,
        endTime,
        value: {
          buckets: { boundaries, counts: [...series.counts] },
          count: series.count,
          sum: series.sum,
          min: hasMinMax ? series.min : undefined,
          max: hasMinMax ? series.max : undefined,
        },
      });
    }
    return {
      descriptor: this.descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
  }
}

/** The SDK's bucket boundaries for a histogram's advice: sorted, infinities dropped. */
function boundariesOf(options: MetricOptions | undefined): number[] {
  const advised = options?.advice?.explicitBucketBoundaries;
  if (advised === undefined) return defaultBoundaries;
  const sorted = [...advised].sort((a, b) => a - b);
  const minusInfinity = sorted.lastIndexOf(Number.NEGATIVE_INFINITY);
  const infinity = sorted.indexOf(Number.POSITIVE_INFINITY);
  return sorted.slice(minusInfinity + 1, infinity === -1 ? undefined : infinity);
}

/** A meter whose histograms are tallied here; every other instrument is the SDK meter's own. */
class TalliedMeter implements Meter {
  readonly histograms = new Map<string, TalliedHistogram>();

  constructor(
    private readonly meter: Meter,
    readonly scope: ScopeMetrics['scope'],
  ) {}

  createHistogram(name: string, options?: MetricOptions): Histogram {
    // The SDK matches instrument names case-insensitively: a second histogram of the same name records into the first.
    const key = name.toLowerCase();
    let histogram = this.histograms.get(key);
    if (histogram === undefined) {
      histogram = new TalliedHistogram(
        {
          name,
          type: InstrumentType.HISTOGRAM,
          description: options?.description ?? '',
          unit: options?.unit ?? '',
          valueType: options?.valueType ?? ValueType.DOUBLE,
          advice: options?.advice ?? {},
        },
        boundariesOf(options),
      );
      this.histograms.set(key, histogram);
    }
    return histogram;
  }

  createGauge(name: string, options?: MetricOptions): Gauge {
    return this.meter.createGauge(name, options);
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return this.meter.createCounter(name, options);
  }

  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return this.meter.createUpDownCounter(name, options);
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.meter.createObservableGauge(name, options);
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.meter.createObservableCounter(name, options);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return this.meter.createObservableUpDownCounter(name, options);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.meter.addBatchObservableCallback(callback, observables);
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.meter.removeBatchObservableCallback(callback, observables);
  }
}

/**
 * Histograms recorded at the cost of a lookup and a few additions, exported through the OpenTelemetry SDK. Give it to
 * the SDK reader as a metric producer (`new PrometheusExporter({ metricProducers: [tallies] })`) and hand out
 * `tallies.wrap(sdkProvider)` as the meter provider: its meters create histograms tallied here (every other kind of
 * instrument is the SDK's), and the reader collects their tallies beside the SDK's own metrics, in the SDK's shape.
 * What a scrape shows is what the SDK would have shown for the same measurements.
 *
 * A workaround, kept only while it pays: the SDK's per-record attribute hashing is a known cost upstream
 * (opentelemetry-js issues #4372 and #6100; a faster `hashAttributes` is proposed in #6515), and `metricProducers` is
 * an experimental exporter option. When the SDK's `record` gets cheap, measure again (`tooling/bench/src/metrics-cost.mjs`)
 * and drop this file if the gain is gone; the comparison tests against the plain SDK catch an upgrade that changes
 * what the SDK exports meanwhile.
 */
export class TalliedHistograms implements MetricProducer {
  readonly #meters = new Map<string, TalliedMeter>();

  /** A meter provider over `provider` whose meters' histograms are tallied here. */
  wrap(provider: MeterProvider): MeterProvider {
    return {
      getMeter: (name: string, version = '', options: MeterOptions = {}): Meter => {
        const inner = provider.getMeter(name, version, options);
        // A provider that was shut down hands out no-op meters: so does this one then.
        if (inner instanceof noopMeterClass) return inner;
        const key = `${name}:${version}:${options.schemaUrl ?? ''}`;
        let meter = this.#meters.get(key);
        if (meter === undefined) {
          // The scope the SDK gives these arguments.
          meter = new TalliedMeter(inner, { name, version, schemaUrl: options.schemaUrl });
          this.#meters.set(key, meter);
        }
        return meter;
      },
    };
  }

  async collect(): Promise<CollectionResult> {
    // The SDK reads its own instruments after awaiting the observable callbacks, so what was recorded in the same
    // tick as the scrape began (the gateway records the scrape's own request that way) is in it: the same here.
    await new Promise((resolve) => setImmediate(resolve));
    const endTime = hrTimeOf(Date.now());
    const scopeMetrics: ScopeMetrics[] = [];
    for (const meter of this.#meters.values()) {
      const metrics: HistogramMetricData[] = [];
      for (const histogram of meter.histograms.values()) {
        const data = histogram.collect(endTime);
        if (data !== undefined) metrics.push(data);
      }
      if (metrics.length > 0) scopeMetrics.push({ scope: meter.scope, metrics });
    }
    // The reader keeps the SDK's resource and takes only the scopes from here.
    return { resourceMetrics: { resource: undefined as never, scopeMetrics }, errors: [] };
  }
}
