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
  const usage = result.usage;
  // No usage, or an answer with output but zero tokens (an adapter written before usage could be left out, reading
  // a missing count as 0): unreported, so the attempt estimates it as for a stream, and a paid target's spend is not
  // recorded as zero.
  const unreported = usage === undefined || (usage.inputTokens === 0 && usage.outputTokens === 0 && parts.length > 0);
  if (!unreported) parts.push({ type: 'usage', usage });
  parts.push({ type: 'finish', finishReason: result.finishReason });
  return parts;
}
