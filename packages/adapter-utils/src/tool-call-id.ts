import type { ToolCall } from '@switchyard/contract';

/** A fresh tool-call id in the OpenAI style (`call_` and 24 hex digits), for servers that send calls without one. */
export function newToolCallId(): string {
  // The global Web Crypto (Node ≥ 19, browsers, workers), so the kit imports no Node built-in here.
  return `call_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/**
 * A complete contract `ToolCall` from what a server sent: a missing id gets `fallbackId` (default a fresh
 * {@link newToolCallId}), missing or empty arguments become `{}`.
 */
export function completeToolCall(
  call: { id?: string | undefined; name?: string | undefined; arguments?: string | undefined },
  fallbackId: () => string = newToolCallId,
): ToolCall {
  return { id: call.id || fallbackId(), name: call.name ?? '', arguments: call.arguments || '{}' };
}
