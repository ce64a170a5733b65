// One benchmark row in its own process (spawned by cli.mjs with --expose-gc): rows do not share heaps, sockets or
// JIT state, and a row that needs special V8 flags gets them without affecting the others.
import { rowLoaders } from './all-rows.mjs';

process.once('message', async (options) => {
  try {
    const row = await rowLoaders[options.row]();
    const log = (line) => process.send({ log: line });
    const result = await row.run({ ...options, log });
    process.send({ result }, () => process.exit(0));
  } catch (error) {
    process.send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
      process.exit(1),
    );
  }
});
