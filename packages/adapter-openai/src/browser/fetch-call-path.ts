import { createFetchTransport } from '@switchyard/adapter-utils';
import type { OpenAICallPath } from '../create-openai-target-with.js';
import { createOpenAICalls } from '../openai-calls.js';

/**
 * The browser's call path: the calls over the global `fetch`. The chunk a page loads on demand (see
 * openai-call-path.ts), with what only calls reach in the kit: the fetch transport, the HTTP client, the SSE
 * decoder (eventsource-parser), bounded body reads, deadlines.
 */
export const fetchCallPath: OpenAICallPath = { createCalls: createOpenAICalls, transport: createFetchTransport() };
