// Row 6: failover. The primary fails (connection refused / 503 / TCP reset after 4 chunks); the fallback answers.
//   added = routed time to the fallback's first token − (direct time for the primary to fail + direct TTFT of the
//   fallback), per sample; median per round. Retries are off (`execution.retries: 0`): a retry's backoff is
//   deliberate waiting, not overhead. Each sample gets a fresh router and primary target, because after one failure
//   the adapter marks a refused target unavailable and the circuit breaker counts failures, so a reused router would
//   skip the primary and time something else.
// Dead upstream: one router, default circuit settings, M requests against a dead primary; counts the attempts the
// router still sent to it, overall and after its circuit opened (or the adapter marked it unavailable).
import { createServer } from 'node:net';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createRouter } from '@switchyard/core';
import { createDirectAgent, directStream, now, routedRequest } from '../clients.mjs';
import { acrossRounds, median } from '../stats.mjs';

/** A loopback port with nothing listening on it (bound, then closed). */
async function refusedOrigin() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function failoverRouter(primaryOrigin, primaryModel, upstream, circuit) {
  const primary = createOpenAITarget({ baseURL: `${primaryOrigin}/v1`, model: primaryModel, id: 'primary' });
  const fallback = createOpenAITarget({ baseURL: `${upstream}/v1`, model: 'zero', id: 'fallback' });
  return createRouter({
    targets: { primary, fallback },
    // The fallback stand-in cannot continue a partial answer: measure the opt-in visible restart after the reset
    // (the default, midStream 'continue', would end that stream with StreamInterruptedError instead).
    policy: { mode: 'remote-only', execution: { retries: 0, midStream: 'restart', ...(circuit ? { circuit } : {}) } },
  });
}

async function routedFailover(router) {
  const started = now();
  let failedOver = false;
  let firstAfter;
  for await (const part of router.stream(routedRequest())) {
    if (part.type === 'route' && part.phase === 'summary' && part.route.target !== 'fallback') {
      throw new Error(`failover: answered by ${part.route.target}`);
    }
    if (part.type === 'failover') failedOver = true;
    if (part.type === 'text-delta' && part.text.startsWith('Hello')) firstAfter ??= now();
  }
  if (firstAfter === undefined) throw new Error('failover: the fallback never answered');
  return { us: (firstAfter - started) * 1000, failedOver };
}

async function directFailure(agent, origin, model) {
  const started = now();
  try {
    await directStream(agent, origin, model, () => {});
  } catch {
    return (now() - started) * 1000;
  }
  throw new Error(`failover: the direct call to ${model} did not fail`);
}

async function directFallbackTtft(agent, upstream) {
  const started = now();
  let first;
  await directStream(agent, upstream, 'zero', (_text, at) => {
    first ??= at;
  });
  return (first - started) * 1000;
}

async function deadUpstream(primaryOrigin, primaryModel, upstream, requests) {
  const router = failoverRouter(primaryOrigin, primaryModel, upstream);
  let sent = 0;
  let sentAfterOpen = 0;
  let requestsAfterOpen = 0;
  let open = false;
  router.on('circuit', (event) => {
    if (event.target === 'primary' && event.to === 'open') open = true;
  });
  router.on('attempt', (event) => {
    if (event.target === 'primary' && event.phase === 'start') {
      sent += 1;
      if (open) sentAfterOpen += 1;
    }
  });
  for (let index = 0; index < requests; index += 1) {
    // The adapter marks a refused target unavailable at once, before any circuit opens: that also closes the door.
    const closed =
      open || router.stats().primary?.circuit === 'open' || router.targets.primary.status().state !== 'ready';
    if (closed) requestsAfterOpen += 1;
    const result = await router.generate(routedRequest());
    if (result.route.target !== 'fallback') throw new Error('dead upstream: not answered by the fallback');
  }
  return { requests, sent, sentAfterOpen, requestsAfterOpen };
}

export async function run({ upstream, rounds, quick, log }) {
  const agent = createDirectAgent();
  const refused = await refusedOrigin();
  const cases = {
    refused: { origin: refused, model: 'zero' },
    status503: { origin: upstream, model: 'status:503' },
    reset: { origin: upstream, model: 'reset:4:5' },
  };
  const samples = quick ? 5 : 40;
  const perRound = { refused: [], status503: [], reset: [] };
  for (let round = 0; round <= rounds; round += 1) {
    for (const [name, { origin, model }] of Object.entries(cases)) {
      const added = [];
      for (let sample = 0; sample < samples; sample += 1) {
        const router = failoverRouter(origin, model, upstream, { enabled: false });
        const measureRouted = () => routedFailover(router);
        const measureDirect = async () =>
          (await directFailure(agent, origin, model)) + (await directFallbackTtft(agent, upstream));
        let routed;
        let direct;
        if (sample % 2 === 0) {
          routed = await measureRouted();
          direct = await measureDirect();
        } else {
          direct = await measureDirect();
          routed = await measureRouted();
        }
        if (!routed.failedOver && name === 'reset') throw new Error('failover: no failover part on a mid-stream reset');
        added.push(routed.us - direct);
      }
      if (round > 0) perRound[name].push(median(added));
    }
    if (round > 0) {
      log(
        `failover round ${round}: added refused ${perRound.refused.at(-1).toFixed(0)} µs, 503 ${perRound.status503.at(-1).toFixed(0)} µs, reset ${perRound.reset.at(-1).toFixed(0)} µs`,
      );
    }
  }
  const deadRequests = quick ? 20 : 200;
  const dead = {
    refused: await deadUpstream(refused, 'zero', upstream, deadRequests),
    status503: await deadUpstream(upstream, 'status:503', upstream, deadRequests),
  };
  await agent.close();
  const share = (entry) => entry.sent / entry.requests;
  const afterShare = (entry) => (entry.requestsAfterOpen === 0 ? 0 : entry.sentAfterOpen / entry.requestsAfterOpen);
  return {
    unit: 'µs',
    samplesPerRound: samples,
    refused: { added: acrossRounds(perRound.refused) },
    status503: { added: acrossRounds(perRound.status503) },
    reset: { added: acrossRounds(perRound.reset) },
    dead: {
      ...dead,
      overallShare: Math.max(share(dead.refused), share(dead.status503)),
      afterOpenShare: Math.max(afterShare(dead.refused), afterShare(dead.status503)),
    },
  };
}
