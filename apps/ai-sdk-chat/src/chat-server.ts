import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSwitchyard } from '@switchyard/ai-sdk';
import type { Router } from '@switchyard/core';
import {
  convertToModelMessages,
  pipeUIMessageStreamToResponse,
  streamText,
  type ToolSet,
  toUIMessageStream,
  validateUIMessages,
} from 'ai';
import type { ChatMessage, ChatRequestBody, ChatRoute } from './chat-message.js';
import { describeRoute } from './describe-route.js';

/** Options of {@link startChatServer}. */
export interface ChatServerOptions {
  router: Router;
  /** Port to bind; 0 picks a free one. Default 5174. */
  port?: number;
  /** Default 127.0.0.1: the example is for the person at this machine. */
  host?: string;
  /** Where `index.html` and the bundled `app.js` are. Default: `web/` beside the built server. */
  assetsDir?: string;
  /** Receives one line per answer: where it ran and why (never the prompt). */
  log?: (line: string) => void;
  /** Most tokens per answer. Default 96. */
  maxOutputTokens?: number;
}

/** The running chat server. */
export interface ChatServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const bodyLimit = 256 * 1024;
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

async function readBody(request: IncomingMessage): Promise<ChatRequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > bodyLimit) throw new RequestProblem(413, `the request body is larger than ${bodyLimit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
  } catch {
    throw new RequestProblem(400, 'the request body is not JSON: send { "messages": [...] } as the AI SDK chat does');
  }
}

class RequestProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the chat's HTTP server (plain `node:http`): `GET /` is the page, `POST /api/chat` runs `streamText` with
 * the Switchyard model and streams the AI SDK's UI message stream back, with the route of each answer as message
 * metadata.
 */
export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const switchyard = createSwitchyard(options.router);
  const assetsDir = options.assetsDir ?? fileURLToPath(new URL('./web/', import.meta.url));
  const maxOutputTokens = options.maxOutputTokens ?? 96;

  async function chat(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    // The AI SDK checks the messages' shape (and says which part is wrong) before they reach the model.
    const messages = await validateUIMessages<ChatMessage>({ messages: body.messages }).catch((error: unknown) => {
      throw new RequestProblem(400, `messages: ${(error as Error).message}`);
    });
    // The reader closing the page ends the call: the router cancels the attempt and closes its connection.
    const abort = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) abort.abort();
    });
    const result = streamText({
      model: switchyard('auto'),
      messages: await convertToModelMessages(messages),
      maxOutputTokens,
      abortSignal: abort.signal,
      providerOptions: { switchyard: { privacy: body.private === true ? 'private' : 'standard' } },
    });
    pipeUIMessageStreamToResponse({
      response,
      stream: toUIMessageStream<ToolSet, ChatMessage>({
        stream: result.stream,
        originalMessages: messages,
        // The route is known when the step finishes; it reaches the page as the answer's metadata.
        messageMetadata: ({ part }) => {
          if (part.type !== 'finish-step') return undefined;
          const route = part.providerMetadata?.switchyard as ChatRoute | undefined;
          if (route) {
            const { where, why } = describeRoute(route);
            options.log?.(`→ ${where}  ${why.join('; ')}`);
          }
          return route ? { route } : undefined;
        },
        // Switchyard's typed errors say what failed and how to fix it, with no secrets; the page shows them.
        onError: (error) => (error instanceof Error ? error.message : String(error)),
      }),
    });
  }

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const handle = async () => {
      if (request.method === 'POST' && path === '/api/chat') return chat(request, response);
      const asset = request.method === 'GET' ? assets[path] : undefined;
      if (!asset) throw new RequestProblem(404, `no ${request.method} ${path} here`);
      const content = await readFile(join(assetsDir, asset.file));
      response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
      response.end(content);
    };
    handle().catch((error: unknown) => {
      const status = error instanceof RequestProblem ? error.status : 500;
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5174, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
