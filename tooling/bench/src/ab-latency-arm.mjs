// One build's two arms for `ab-latency.mjs`, in a process of its own: on 'step', one untimed direct request (the
// first work after an idle gap runs slower on this machine, and this process was idle while the other ran), then one
// direct and one routed request, timed, in the order dr, dr, rd, rd, …; on 'flush', the latencies so far.
const [root, upstream] = process.argv.slice(2);
const { createDirectAgent, createRoutedArm, directJson, routedRequest } = await import(
  `${root}/tooling/bench/src/clients.mjs`
);

const agent = createDirectAgent();
const { router } = createRoutedArm(upstream, 'zero');
const arms = {
  direct: () => directJson(agent, upstream, 'zero'),
  routed: async () => {
    const result = await router.generate(routedRequest());
    if (result.text.length === 0) throw new Error('routed: empty answer');
  },
};
let latencies = { direct: [], routed: [] };
let turn = 0;
process.on('message', async (message) => {
  if (message === 'step') {
    await arms.direct();
    for (const name of (turn++ >> 1) % 2 === 0 ? ['direct', 'routed'] : ['routed', 'direct']) {
      const started = process.hrtime.bigint();
      await arms[name]();
      latencies[name].push(Number(process.hrtime.bigint() - started) / 1000);
    }
    process.send('done');
  } else if (message === 'flush') {
    process.send(latencies);
    latencies = { direct: [], routed: [] };
  } else if (message === 'exit') {
    await agent.close();
    process.exit(0);
  }
});
process.send('ready');
