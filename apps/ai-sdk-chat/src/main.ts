#!/usr/bin/env node
/**
 * `pnpm ai-sdk-chat`: a chat on the Vercel AI SDK whose model is Switchyard. Starts the targets (stand-ins unless
 * `SWITCHYARD_*` settings name real ones), the router, and the page's server, and prints the URL.
 */
import { startChatServer } from './chat-server.js';
import { parseChatArgs, usage } from './cli-args.js';
import { createChatRouter } from './create-chat-router.js';

async function main(): Promise<void> {
  let args: ReturnType<typeof parseChatArgs>;
  try {
    args = parseChatArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exitCode = 1;
    return;
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  console.log('Switchyard × AI SDK chat: preparing targets (generated models are written to the cache on first run)…');
  const chat = await createChatRouter();
  for (const line of chat.targets) console.log(`  ${line}`);
  const server = await startChatServer({
    router: chat.router,
    log: (line) => console.log(line),
    ...(args.port === undefined ? {} : { port: args.port }),
  }).catch(async (error: unknown) => {
    await chat.dispose();
    const port = args.port ?? 5174;
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} is in use: pass --port <n> or set PORT (0 picks a free one)`);
    }
    throw error;
  });
  console.log(`\n  ➜  ${server.url}\n\n  Press Ctrl-C to stop. Each answer is logged below: where it ran, and why.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  await chat.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`ai-sdk-chat: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
