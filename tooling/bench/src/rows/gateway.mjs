// Row 7: the gateway against the ceiling. Three arms under the same autocannon load (same body, 16 connections, same
// duration), JSON and streaming: the upstream called directly, the minimal pass-through Node proxy
// (`minimal-proxy.mjs`: what any Node gateway on this machine can at best reach), and `switchyard serve`. The arms
// alternate order round by round, and every figure is a ratio or difference within one round, then the median across
// rounds. Each proxy is a child process, so on 2 cores the proxied arms share them three ways (load tool, proxy,
// upstream) and the direct arm two ways: the proxy-vs-gateway ratio is the fair one.
import { armOrder } from '../clients.mjs';
import { chatBody, load, startGateway, startMinimalProxy } from '../gateway-arms.mjs';
import { paired } from '../stats.mjs';

const arms = ['direct', 'proxy', 'gateway'];
const modes = { json: false, stream: true };

function compare(perRound, routed, base) {
  const pick = (arm, figure) => perRound[arm].map((entry) => entry[figure]);
  return {
    p50: paired(pick(routed, 'p50'), pick(base, 'p50')),
    p99: paired(pick(routed, 'p99'), pick(base, 'p99')),
    rps: paired(pick(routed, 'rps'), pick(base, 'rps')),
  };
}

export async function run({ upstream, rounds, quick, log }) {
  const gateway = await startGateway(upstream);
  const proxy = await startMinimalProxy(upstream);
  const options = { connections: 16, seconds: quick ? 1 : 4 };
  const origins = { direct: upstream, proxy: proxy.url, gateway: gateway.url };
  const models = { direct: 'zero', proxy: 'switchyard/auto', gateway: 'switchyard/auto' };
  const perMode = Object.fromEntries(Object.keys(modes).map((mode) => [mode, { direct: [], proxy: [], gateway: [] }]));
  try {
    for (let round = 0; round <= rounds; round += 1) {
      for (const [mode, stream] of Object.entries(modes)) {
        const record = {};
        for (const arm of armOrder(arms, round)) {
          record[arm] = await load(origins[arm], {
            ...options,
            body: chatBody(models[arm], stream),
            label: `gateway row, ${arm} arm, ${mode}`,
          });
        }
        if (round === 0) continue;
        for (const arm of arms) perMode[mode][arm].push(record[arm]);
        const text = (figure, digits = 0) =>
          arms.map((arm) => `${arm} ${record[arm][figure].toFixed(digits)}`).join(' ');
        log(`gateway round ${round} ${mode}: rps ${text('rps')}; p50 µs ${text('p50')}; p99 µs ${text('p99')}`);
      }
    }
  } finally {
    await Promise.all([gateway.close(), proxy.close()]);
  }
  const result = { unit: 'µs', tool: 'autocannon', ...options };
  for (const mode of Object.keys(modes)) {
    const perRound = perMode[mode];
    result[mode] = {
      // gateway vs the upstream directly: "added" is the gateway's latency cost.
      vsDirect: compare(perRound, 'gateway', 'direct'),
      // gateway vs the minimal proxy: the RPS ratio is the target (≥ 0.8).
      vsProxy: compare(perRound, 'gateway', 'proxy'),
      // the ceiling itself vs the upstream directly.
      proxyVsDirect: compare(perRound, 'proxy', 'direct'),
    };
  }
  return result;
}
