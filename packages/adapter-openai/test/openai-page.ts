// Runs in headless Chromium: the package as a bundler resolves it for a web page (the `browser` export condition).

import { createOpenAITarget, type OpenAISettings } from '@switchyard/adapter-openai';
import type { StreamPart, TargetCall } from '@switchyard/contract';
import { hostTarget } from '@switchyard/testkit/page';

/** What a failed call looked like in the page: the typed error's fields, as plain data. */
export interface PageError {
  name: string;
  code: string;
  message: string;
  isRetryable: boolean;
  status?: number;
  retryAfterMs?: number;
}

export interface OpenAIPageApi {
  /** Creates a target in the page and hosts it as `name` for `createPageTargetProxy` (the conformance suite). */
  host(name: string, settings: OpenAISettings): void;
  stream(settings: OpenAISettings, call: TargetCall): Promise<StreamPart[]>;
  /** Streams, aborts after the first text, and reports the parts seen and the error the stream ended with. */
  abortAfterFirstText(settings: OpenAISettings, call: TargetCall): Promise<PageError>;
  failure(settings: OpenAISettings, call: TargetCall): Promise<PageError>;
  /** Streams in a dedicated worker and answers with the text (or the error's message). */
  inWorker(settings: OpenAISettings, call: TargetCall): Promise<{ text?: string; error?: string }>;
}

declare global {
  var openaiPage: OpenAIPageApi;
}

function toPageError(error: unknown): PageError {
  const typed = error as PageError;
  return {
    name: typed.name,
    code: typed.code,
    message: typed.message,
    isRetryable: typed.isRetryable,
    ...(typed.status === undefined ? {} : { status: typed.status }),
    ...(typed.retryAfterMs === undefined ? {} : { retryAfterMs: typed.retryAfterMs }),
  };
}

globalThis.openaiPage = {
  host(name, settings) {
    hostTarget(name, createOpenAITarget(settings));
  },
  async stream(settings, call) {
    const target = createOpenAITarget(settings);
    const parts: StreamPart[] = [];
    for await (const part of target.stream(call)) parts.push(part);
    return parts;
  },
  async abortAfterFirstText(settings, call) {
    const target = createOpenAITarget(settings);
    const stop = new AbortController();
    try {
      for await (const part of target.stream({ ...call, signal: stop.signal })) {
        if (part.type === 'text-delta') stop.abort();
      }
    } catch (error) {
      return toPageError(error);
    }
    throw new Error('the stream ended without the abort');
  },
  async failure(settings, call) {
    const target = createOpenAITarget(settings);
    try {
      await target.generate(call);
    } catch (error) {
      return toPageError(error);
    }
    throw new Error('the call succeeded');
  },
  inWorker(settings, call) {
    const worker = new Worker('/worker.js', { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ text?: string; error?: string }>) => {
        resolve(event.data);
        worker.terminate();
      };
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ settings, call });
    });
  },
};
