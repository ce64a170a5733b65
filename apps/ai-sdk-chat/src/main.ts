#!/usr/bin/env node
/**
 * `pnpm ai-sdk-chat`: a chat on the Vercel AI SDK whose model is Switchyard. Starts the targets (stand-ins unless
 * `SWITCHYARD_*` settings name real ones), the router, and the page's server, and prints the URL.
 */
import { startChatServer } from './chat-server.js';
import { createChatRouter } from './create-chat-router.js';

async function main(): Promise<void> {
  const portArg = process.env.PORT;
  console.log('Switchyard × AI SDK chat: preparing targets (generated models are written to the cache on first run)…');
  const chat = await createChatRouter();
  for (const line of chat.targets) console.log(`  ${line}`);
  const server = await startChatServer({
    router: chat.router,
    log: (line) => console.log(line),
    ...(portArg ? { port: Number(portArg) } : {}),
  }).catch(async (error: unknown) => {
    await chat.dispose();
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
