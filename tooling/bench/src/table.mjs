// The terminal table: one line per headline figure, its median across rounds, the spread, the target and the
// published anchor it is measured against. "met" is informational; nothing here fails a build.

const us = (value) => `${fmt(value)} µs`;
function fmt(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

const get = (object, path) => path.split('.').reduce((value, key) => value?.[key], object);

/** One entry per headline figure: where it lives in the results, its unit, target and anchor. */
const catalogue = [
  [
    '1',
    'added p50 latency, c=1',
    'latency.latency.c1.p50.added',
    'µs',
    { max: 50, moonshot: 20 },
    'best gateway ~107 µs p99; Portkey 2.4–3.3 ms',
  ],
  [
    '1',
    'added p99 latency, c=1',
    'latency.latency.c1.p99.added',
    'µs',
    { max: 150, moonshot: 75 },
    'best gateway ~107 µs p99',
  ],
  ['1', 'added p50 latency, c=32', 'latency.latency.c32.p50.added', 'µs', { max: 50, moonshot: 20 }, ''],
  [
    '1',
    'added p99 latency, c=32',
    'latency.latency.c32.p99.added',
    'µs',
    { max: 150, moonshot: 75 },
    'TensorZero 0.94 ms p99 @10k QPS',
  ],
  ['1', '  of which adapter only, p50 c=1', 'latency.latency.c1.adapterOnly.p50.added', 'µs', null, ''],
  [
    '2',
    'throughput by client CPU, direct/routed CPU per request, c=64 (paired)',
    'latency.throughput.cpu.ratio',
    '×',
    { min: 0.95 },
    'toy router 0.92–0.97',
  ],
  ['2', '  A/A of that method: direct/direct', 'latency.throughput.cpu.aa.direct', '×', null, ''],
  ['2', '  A/A of that method: routed/routed', 'latency.throughput.cpu.aa.routed', '×', null, ''],
  ['2', '  CPU per request, direct', 'latency.throughput.cpu.cpuPerRequest.direct', 'µs', null, ''],
  ['2', '  CPU per request, routed', 'latency.throughput.cpu.cpuPerRequest.routed', 'µs', null, ''],
  ['2', '  RPS ratio routed/direct, same paired batches', 'latency.throughput.cpu.rpsRatio', '×', null, ''],
  [
    '2',
    'throughput ratio, c=64 (one block per arm per round)',
    'latency.throughput.ratio',
    '×',
    { min: 0.9, moonshot: 0.97 },
    '',
  ],
  [
    '3',
    'added TTFT, paced, 1 stream',
    'streaming.paced.c1.ttft.added',
    'µs',
    { max: 200 },
    'best gateway ~219 µs; Portkey ~30 ms',
  ],
  ['3', 'added TTFT, paced, 64 streams', 'streaming.paced.c64.ttft.added', 'µs', { max: 200 }, ''],
  ['3', 'added per-chunk lag, paced, 1 stream', 'streaming.paced.c1.perChunk.added', 'µs', { max: 5 }, ''],
  ['3', 'added per-chunk lag, paced, 64 streams', 'streaming.paced.c64.perChunk.added', 'µs', { max: 5 }, ''],
  ['3', 'added TTFT, burst, 1 stream', 'streaming.burst.c1.ttft.added', 'µs', { max: 200 }, ''],
  ['3', 'added per-chunk gap, burst 512, 1 stream', 'streaming.burst.c1.perChunk.added', 'µs', { max: 5 }, ''],
  ['3', 'added per-chunk gap, burst 512, 64 streams', 'streaming.burst.c64.perChunk.added', 'µs', { max: 5 }, ''],
  ['3', 'chunks lost (routed, all runs)', 'streaming.lost', 'chunks', { max: 0 }, ''],
  ['4', 'plan() p50, 100 B prompt', 'decision.prompts.100B.p50Ns', 'ns', null, ''],
  ['4', 'plan() p99, 4 KB prompt', 'decision.prompts.4KB.p99Ns', 'ns', { max: 2000, moonshot: 500 }, ''],
  ['4', 'plan() p99, 32 KB prompt', 'decision.prompts.32KB.p99Ns', 'ns', null, ''],
  ['4', 'plan() allocations, 4 KB prompt', 'decision.prompts.4KB.bytesPerCall', 'B/call', null, ''],
  ['4', 'PII scan p50, new 4 KB prompt', 'decision.piiScan.4KB.p50Ns', 'ns', { max: 15_000 }, ''],
  ['4', 'PII scan p99, new 4 KB prompt', 'decision.piiScan.4KB.p99Ns', 'ns', { max: 40_000 }, ''],
  ['5', 'memory per in-flight request (added)', 'memory.added', 'B', { max: 4096 }, ''],
  ['6', 'failover added: connection refused', 'failover.refused.added', 'µs', { max: 1000 }, ''],
  ['6', 'failover added: 503', 'failover.status503.added', 'µs', { max: 1000 }, ''],
  ['6', 'failover added: reset mid-stream', 'failover.reset.added', 'µs', null, ''],
  ['6', 'sent to dead upstream after circuit open', 'failover.dead.afterOpenShare', 'share', { max: 0.01 }, ''],
  ['6', 'sent to dead upstream, all requests', 'failover.dead.overallShare', 'share', null, ''],
  ['7', 'gateway RPS / minimal proxy, JSON, 16 conn', 'gateway.json.vsProxy.rps.ratio', '×', { min: 0.8 }, ''],
  ['7', 'gateway RPS / minimal proxy, stream, 16 conn', 'gateway.stream.vsProxy.rps.ratio', '×', { min: 0.8 }, ''],
  [
    '7',
    'gateway added p50 over upstream, JSON',
    'gateway.json.vsDirect.p50.added',
    'µs',
    { max: 1000 },
    'Portkey 2.4–3.3 ms',
  ],
  ['7', 'gateway added p50 over upstream, stream', 'gateway.stream.vsDirect.p50.added', 'µs', { max: 1000 }, ''],
  [
    '7',
    'gateway added p99 over upstream, JSON',
    'gateway.json.vsDirect.p99.added',
    'µs',
    null,
    'best gateway ~107 µs p99',
  ],
  ['7', 'gateway added p50 over minimal proxy, JSON', 'gateway.json.vsProxy.p50.added', 'µs', null, ''],
  ['7', 'gateway RPS / upstream direct, JSON', 'gateway.json.vsDirect.rps.ratio', '×', null, ''],
  ['7', 'minimal proxy RPS / upstream direct, JSON', 'gateway.json.proxyVsDirect.rps.ratio', '×', null, ''],
  ['8', 'llama.cpp adapter tokens/s ratio', 'local.tokensPerSecond.ratio', '×', null, ''],
  ['9', 'local TTFT ratio adapter/direct', 'local.ttft.adapterVsDirect.ratio', '×', { max: 1.5 }, ''],
  ['9', 'local TTFT added, adapter − direct', 'local.ttft.adapterVsDirect.added', 'µs', { max: 5000 }, ''],
  ['9', 'local TTFT added, router − adapter', 'local.ttft.routerVsAdapter.added', 'µs', { max: 2000 }, ''],
  ['10', 'bundle: router (createRouter), gzip', 'bundle.router.gzipKB', 'KB', null, ''],
  ['10', '  of which zod', 'bundle.router.zodGzipKB', 'KB', null, ''],
  ['10', 'bundle: router + openai adapter, gzip', 'bundle.routerOpenai.gzipKB', 'KB', { max: 40 }, ''],
  ['10', '  split: first load (no OTel)', 'bundle.routerOpenai.firstLoadGzipKB', 'KB', null, ''],
  [
    '10',
    '  fetched before the first answer, no phone-like number',
    'bundle.routerOpenai.beforeFirstAnswerGzipKB.withoutPhoneNumber',
    'KB',
    null,
    '',
  ],
  [
    '10',
    '  fetched before the first answer, a phone-like number',
    'bundle.routerOpenai.beforeFirstAnswerGzipKB.withPhoneNumber',
    'KB',
    null,
    '',
  ],
  ['10', '  vite build: one file', 'bundle.routerOpenai.vite.gzipKB', 'KB', null, ''],
  ['10', '  vite build: first load', 'bundle.routerOpenai.vite.firstLoadGzipKB', 'KB', null, ''],
  ['10', 'bundle: signals-browser, gzip', 'bundle.signalsBrowser.gzipKB', 'KB', { max: 3 }, ''],
  [
    '11',
    'TTFT ratio wllama adapter in page / node-llama-cpp, 1 thread',
    'browser.threads1.wllamaVsNodeLlamaCpp.ratio',
    '×',
    { max: 2 },
    '',
  ],
  [
    '11',
    '  wllama adapter / adapter-llamacpp, 1 thread',
    'browser.threads1.wllamaVsLlamacppAdapter.ratio',
    '×',
    null,
    '',
  ],
  ['11', '  wllama adapter / wllama itself, 1 thread', 'browser.threads1.wllamaAdapterVsWllama.ratio', '×', null, ''],
  [
    '11',
    '  wllama itself / node-llama-cpp, 1 thread',
    'browser.threads1.wllamaVsNodeLlamaCppDirect.ratio',
    '×',
    null,
    '',
  ],
  [
    '11',
    '  TTFT wllama adapter in page, p50, 1 thread',
    'browser.threads1.wllamaVsNodeLlamaCpp.routed',
    'µs',
    null,
    '',
  ],
  ['11', '  TTFT node-llama-cpp, p50, 1 thread', 'browser.threads1.wllamaVsNodeLlamaCpp.direct', 'µs', null, ''],
  [
    '11',
    'TTFT ratio wllama adapter in page / node-llama-cpp, 2 threads (COOP/COEP)',
    'browser.threads2.wllamaVsNodeLlamaCpp.ratio',
    '×',
    { max: 2 },
    '',
  ],
  ['11', '  wllama adapter / wllama itself, 2 threads', 'browser.threads2.wllamaAdapterVsWllama.ratio', '×', null, ''],
  [
    '11',
    '  wllama itself / node-llama-cpp, 2 threads',
    'browser.threads2.wllamaVsNodeLlamaCppDirect.ratio',
    '×',
    null,
    '',
  ],
  [
    '11',
    '  TTFT wllama adapter in page, p50, 2 threads',
    'browser.threads2.wllamaVsNodeLlamaCpp.routed',
    'µs',
    null,
    '',
  ],
  ['12', 'OTel added per request, no provider', 'telemetry.none.added', 'µs', { max: 2 }, ''],
  ['12', 'OTel added per request, SDK + no-op exporter', 'telemetry.sdk.added', 'µs', { max: 20 }, ''],
  ['12', 'OTel ratio SDK / telemetry: false', 'telemetry.sdk.ratio', '×', null, ''],
  ['13', 'store-redis added p50 per request (budget hold + settle)', 'store.added', 'µs', { max: 300 }, ''],
  ['13', 'store-redis p50 ratio redis / memory', 'store.ratio', '×', null, ''],
  ['14', 'pool of 3: busiest/idlest replica from even', 'pool.spreadPct', '%', { max: 10 }, ''],
  ['14', 'pool: failed requests while a replica is killed', 'pool.failedDuringKill', 'requests', { max: 0 }, ''],
  ['14', 'pool: killed replica out of rotation after', 'pool.outAfterMs', 'ms', null, ''],
  ['14', 'pool: restarted replica back, / probe interval', 'pool.readmitRatio', '×', { max: 1 }, ''],
  ['15', 'streamText via createSwitchyard, added p50', 'ai-sdk.switchyard.p50.added', 'µs', { max: 50 }, ''],
  ['15', 'streamText via createSwitchyard, p50 ratio', 'ai-sdk.switchyard.p50.ratio', '×', null, ''],
  ['15', '  same HTTP client (createAISDKTarget), added p50', 'ai-sdk.aisdkTarget.p50.added', 'µs', null, ''],
  ['16', 'gateway RPS / Portkey, JSON, 16 conn', 'portkey.json.rps.ratio', '×', null, ''],
  ['16', 'gateway p50 − Portkey p50, JSON', 'portkey.json.p50.added', 'µs', null, ''],
  ['16', 'Portkey failed share, JSON', 'portkey.json.portkeyFailedShare', 'share', null, ''],
  ['16', 'Portkey failed share, stream', 'portkey.stream.portkeyFailedShare', 'share', null, ''],
  ['16', 'gateway RPS / Portkey, stream (if it answered)', 'portkey.stream.rps.ratio', '×', null, ''],
];

function summarise(value) {
  if (value && typeof value === 'object' && 'median' in value) return value;
  return { median: value };
}

/** Flattens the row results into headline figures (also part of the JSON report). */
export function figuresOf(results) {
  const figures = [];
  for (const [row, name, path, unit, target, anchor] of catalogue) {
    const [rowName, ...rest] = path.split('.');
    if (!results[rowName] || results[rowName].error) continue;
    const raw = get(results[rowName], rest.join('.'));
    if (raw === undefined) continue;
    const value = summarise(raw);
    let met;
    if (target?.max !== undefined) met = value.median <= target.max;
    if (target?.min !== undefined) met = value.median >= target.min;
    let moonshot;
    if (target?.moonshot !== undefined) {
      moonshot = target.min !== undefined ? value.median >= target.moonshot : value.median <= target.moonshot;
    }
    figures.push({
      row,
      name,
      unit,
      median: value.median,
      ...(value.min !== undefined ? { min: value.min, max: value.max } : {}),
      ...(target ? { target } : {}),
      ...(met !== undefined ? { met } : {}),
      ...(moonshot !== undefined ? { moonshot } : {}),
      ...(anchor ? { anchor } : {}),
    });
  }
  return figures;
}

function targetText(target, unit) {
  if (!target) return '';
  const bound = target.max !== undefined ? `≤${target.max}` : `≥${target.min}`;
  const moon = target.moonshot !== undefined ? ` (moon ${target.moonshot})` : '';
  return `${bound}${unit === '×' || unit === 'share' ? '' : ` ${unit}`}${moon}`;
}

export function formatTable(report) {
  const header = ['#', 'figure', 'median', 'spread (rounds)', 'target', 'met', 'anchor'];
  const lines = report.figures.map((figure) => [
    figure.row,
    figure.name,
    `${fmt(figure.median, figure.unit === '×' || figure.unit === 'share' ? 3 : 1)} ${figure.unit}`,
    figure.min !== undefined ? `${fmt(figure.min, 3)} … ${fmt(figure.max, 3)}` : '',
    targetText(figure.target, figure.unit),
    figure.met === undefined ? '' : figure.met ? (figure.moonshot ? 'yes★' : 'yes') : 'NO',
    figure.anchor ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const machine = report.machine;
  const errors = Object.entries(report.rows)
    .filter(([, result]) => result.error)
    .map(([row, result]) => `row ${row} failed: ${result.error.split('\n')[0]}`);
  return [
    render(header),
    render(widths.map((width) => '-'.repeat(width))),
    ...lines.map(render),
    '',
    `${machine.cpu} × ${machine.cores}; Node ${machine.node}; undici ${machine.undici}; commit ${machine.commit}; ` +
      `load ${machine.loadavgBefore.map((v) => fmt(v, 2)).join('/')} → ${machine.loadavgAfter.map((v) => fmt(v, 2)).join('/')}; ` +
      `${report.options.rounds} round(s); "added" = routed − direct per round, median across rounds (★ = moonshot).`,
    ...errors,
  ].join('\n');
}

export { us };
