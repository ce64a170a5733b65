// One build's arms for `ab-throughput-cpu.mjs`, in a process of its own (argv: the repository dir of the build, the
// upstream URL): on each message `{ arm, count }`, `count` calls of the arm (`direct` or `routed`, as in row 2) with 64
// in flight; answers this process's CPU µs per call (user + system, a minor GC at each end, as `paired-cpu.mjs`) and
// the batch's calls per second.
const [root, upstream] = process.argv.slice(2);
const { createDirectAgent, createRoutedArm, directJson, routedRequest, runConcurrent } = await import(
  `${root}/tooling/bench/src/clients.mjs`
);

const agent = createDirectAgent();
const { router } = createRoutedArm(upstream, 'zero');
const arms = {
  direct: () => directJson(agent, upstream, 'zero'),
  routed: () => router.generate(routedRequest()),
};
const minorGc = typeof globalThis.gc === 'function' ? () => globalThis.gc({ type: 'minor' }) : () => {};

process.on('message', async ({ arm, count }) => {
  if (arm === 'exit') {
    await agent.close();
    process.exit(0);
  }
  minorGc();
  const before = process.cpuUsage();
  const { elapsedNs } = await runConcurrent(count, 64, arms[arm]);
  minorGc();
  const used = process.cpuUsage(before);
  process.send({ cpu: (used.user + used.system) / count, rps: count / (elapsedNs / 1e9) });
});
process.send('ready');
