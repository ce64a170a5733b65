#!/usr/bin/env node
/**
 * `pnpm demo`: Switchyard's sample app. Starts a local web app (a hybrid chat that shows where every answer ran
 * and why, a device panel feeding the router's signals, live per-target stats and a chart of recent decisions), or
 * with `tour`, runs scripted routing scenarios through the real router and prints what was decided.
 */
import { parseDemoArgs, usage } from './cli-args.js';
import { createDemoRuntime } from './create-demo-runtime.js';
import { startDemoServer } from './demo-server.js';
import { describeSetup } from './describe-setup.js';
import { formatTourTable } from './format-tour-table.js';
import { runTour } from './tour.js';

// `pnpm demo tour --json | head` closes the pipe early; that is the reader's choice, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 1;
  }
  if (args.command === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }

  const log = args.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  log('Switchyard demo: preparing targets (the generated models are written to the cache on first run)…');
  const runtime = await createDemoRuntime(args.configPath ? { configPath: args.configPath } : {});
  for (const line of describeSetup(runtime)) log(line);

  if (args.command === 'tour') {
    try {
      const results = await runTour(runtime, {
        onResult: (result) => {
          if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        },
      });
      if (!args.json) console.log(`\n${formatTourTable(results)}`);
      return results.some((result) => result.error) ? 1 : 0;
    } finally {
      await runtime.dispose();
    }
  }

  let server: Awaited<ReturnType<typeof startDemoServer>>;
  try {
    server = await startDemoServer({
      runtime,
      log: (line) => console.log(line),
      ...(args.port === undefined ? {} : { port: args.port }),
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  console.log(`\n  ➜  Switchyard demo: ${server.url}\n`);
  console.log('  Press Ctrl-C to stop. Each request is logged below: where it ran, and what was excluded.\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await runtime.dispose();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`switchyard demo: ${message}\n`);
    process.exitCode = 1;
  },
);
