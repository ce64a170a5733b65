import type { GenerateResult, StreamPart } from '@switchyard/contract';

/**
 * A stream's parts folded into the answer `generate()` returns: the text, the tool calls in order, the last usage
 * (absent when the stream reported none, so the router charges its estimate) and the finish reason (`stop` when none
 * came). For a target whose `generate()`
 * is its `stream()` read to the end.
 *
 * @example
 * ```ts
 * const target = { ...rest, stream, generate: (call: TargetCall) => collectAnswer(stream(call)) };
 * ```
 */
export async function collectAnswer(parts: AsyncIterable<StreamPart>): Promise<GenerateResult> {
  const result: GenerateResult = { text: '', toolCalls: [], finishReason: 'stop' };
  for await (const part of parts) {
    if (part.type === 'text-delta') result.text += part.text;
    else if (part.type === 'tool-call') result.toolCalls.push(part.toolCall);
    else if (part.type === 'usage') result.usage = part.usage;
    else if (part.type === 'finish') result.finishReason = part.finishReason;
  }
  return result;
}
