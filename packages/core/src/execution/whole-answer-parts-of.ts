import type { GenerateResult, StreamPart } from '@switchyard/contract';

/**
 * A target's whole answer (`target.generate()`) as the parts its stream would have carried, in stream order: the text
 * in one delta, the tool calls, the usage, the finish. The executor books a whole answer through these parts, so an
 * attempt that asks for one (see `AttemptEnvironment.wholeAnswers`) keeps the same bookkeeping (usage, cost, budget,
 * circuit, spans) while the target skips the streaming protocol.
 */
export function wholeAnswerPartsOf(result: GenerateResult): StreamPart[] {
  const parts: StreamPart[] = [];
  if (result.text !== '') parts.push({ type: 'text-delta', text: result.text });
  for (const toolCall of result.toolCalls) parts.push({ type: 'tool-call', toolCall });
  // No usage: the attempt estimates it as for a stream (and, as for a stream, ignores zero tokens after output).
  if (result.usage !== undefined) parts.push({ type: 'usage', usage: result.usage });
  parts.push({ type: 'finish', finishReason: result.finishReason });
  return parts;
}
