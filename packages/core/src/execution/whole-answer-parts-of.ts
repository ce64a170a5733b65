import type { GenerateResult, StreamPart } from '@switchyard/contract';

/**
 * A target's whole answer (`target.generate()`) as the parts its stream would have carried that a consumer sees, in
 * stream order: the text in one delta, the tool calls, the finish. Its usage is booked by the attempt before the
 * finish (`AttemptRun.takeWhole`), not passed on, as a stream's usage part is. The executor books a whole answer
 * through these, so an attempt that asks for one (see `AttemptEnvironment.wholeAnswers`) keeps the same bookkeeping
 * (usage, cost, budget, circuit, spans) while the target skips the streaming protocol.
 */
export function wholeAnswerPartsOf(result: GenerateResult): StreamPart[] {
  const finish: StreamPart = { type: 'finish', finishReason: result.finishReason };
  // The usual answer (text, no tool calls) as a literal of its exact length: a push onto an empty array reserves 16
  // slots (~150 B), garbage at once, on every whole answer (bench row 2 counts the collections that costs).
  if (result.toolCalls.length === 0) {
    return result.text === '' ? [finish] : [{ type: 'text-delta', text: result.text }, finish];
  }
  const parts: StreamPart[] = [];
  if (result.text !== '') parts.push({ type: 'text-delta', text: result.text });
  for (const toolCall of result.toolCalls) parts.push({ type: 'tool-call', toolCall });
  parts.push(finish);
  return parts;
}
