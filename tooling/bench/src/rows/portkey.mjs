// Row 16: `switchyard serve` against Portkey's open-source gateway (`@portkey-ai/gateway` from npm, Node + Hono,
// run locally with --headless), same upstream, same load as row 7 (16 connections), JSON and streaming, alternating
// order round by round. Portkey reaches the upstream through its custom-host headers. Its failures are counted and
// reported (`failedShare`, `failedStatus`), not thrown: in 1.15.2 its streaming path answers 500 on Node here.
import { armOrder } from '../clients.mjs';
import { chatBody, load, startGateway, startPortkey } from '../gateway-arms.mjs';
import { acrossRounds, paired } from '../stats.mjs';

const arms = ['portkey', 'gateway'];
const modes = { json: false, stream: true };

export async function run({ upstream, rounds, quick, log }) {
  const gateway = await startGateway(upstream);
  const portkey = await startPortkey();
  const options = { connections: 16, seconds: quick ? 1 : 4 };
  const perMode = Object.fromEntries(Object.keys(modes).map((mode) => [mode, { portkey: [], gateway: [] }]));
  const request = {
    gateway: (stream) => ({ body: chatBody('switchyard/auto', stream), strict: true }),
    portkey: (stream) => ({
      body: chatBody('zero', stream),
      headers: {
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${upstream}/v1`,
        authorization: 'Bearer bench-no-key',
      },
      strict: false,
    }),
  };
  const origins = { portkey: portkey.url, gateway: gateway.url };
  try {
    for (let round = 0; round <= rounds; round += 1) {
      for (const [mode, stream] of Object.entries(modes)) {
        const record = {};
        for (const arm of armOrder(arms, round)) {
          record[arm] = await load(origins[arm], {
            ...options,
            ...request[arm](stream),
            label: `portkey row, ${arm} arm, ${mode}`,
          });
        }
        if (round === 0) continue;
        for (const arm of arms) perMode[mode][arm].push(record[arm]);
        const p = record.portkey;
        log(
          `portkey round ${round} ${mode}: rps gateway ${record.gateway.rps.toFixed(0)} portkey ${p.rps.toFixed(0)}` +
            ` (${(p.failedShare * 100).toFixed(0)} % failed${p.failedStatus ? `, status ${p.failedStatus}` : ''}); ` +
            `p50 µs gateway ${record.gateway.p50.toFixed(0)} portkey ${p.p50.toFixed(0)}`,
        );
      }
    }
  } finally {
    await Promise.all([gateway.close(), portkey.close()]);
  }
  const result = { unit: 'µs', tool: 'autocannon', peer: '@portkey-ai/gateway', ...options };
  for (const mode of Object.keys(modes)) {
    const perRound = perMode[mode];
    const pick = (arm, figure) => perRound[arm].map((entry) => entry[figure]);
    const failedShare = acrossRounds(pick('portkey', 'failedShare'));
    result[mode] = {
      portkeyFailedShare: failedShare,
      portkeyFailedStatus: perRound.portkey.find((entry) => entry.failedStatus)?.failedStatus ?? null,
    };
    // gateway / portkey (> 1: Switchyard serves more), only when Portkey answered at all in this mode.
    if (pick('portkey', 'rps').some((rps) => rps > 0)) {
      result[mode].rps = paired(pick('gateway', 'rps'), pick('portkey', 'rps'));
      result[mode].p50 = paired(pick('gateway', 'p50'), pick('portkey', 'p50'));
      result[mode].p99 = paired(pick('gateway', 'p99'), pick('portkey', 'p99'));
    }
  }
  return result;
}
