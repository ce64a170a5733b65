import type { GenerateResult, StreamPart } from '@switchyard/contract';

/**
 * A target's whole answer (`target.generate()`) read as the parts its stream would have carried: the text in one
 * delta, the tool calls, the usage, the finish. The executor reads every attempt through parts, so an attempt that
 * asks for a whole answer (see `AttemptEnvironment.wholeAnswers`) keeps the same bookkeeping (usage, cost, budget,
 * circuit, spans) while the target skips the streaming protocol. A plain iterator, not an async generator: nothing
 * here needs a frame of its own.
 */
export class WholeAnswerParts implements AsyncIterator<StreamPart, void> {
  readonly #answer: Promise<GenerateResult>;
  #parts: StreamPart[] | undefined;
  #index = 0;

  constructor(answer: Promise<GenerateResult>) {
    this.#answer = answer;
  }

  next(): Promise<IteratorResult<StreamPart, void>> {
    if (this.#parts !== undefined) return Promise.resolve(this.#step());
    return this.#answer.then((result) => {
      this.#parts = wholeAnswerPartsOf(result);
      return this.#step();
    });
  }

  #step(): IteratorResult<StreamPart, void> {
    const part = this.#parts![this.#index];
    if (part === undefined) return { done: true, value: undefined };
    this.#index += 1;
    return { done: false, value: part };
  }
}

/** The parts of a whole answer, in stream order. */
export function wholeAnswerPartsOf(result: GenerateResult): StreamPart[] {
  const parts: StreamPart[] = [];
  if (result.text !== '') parts.push({ type: 'text-delta', text: result.text });
  for (const toolCall of result.toolCalls) parts.push({ type: 'tool-call', toolCall });
  const usage = result.usage;
  // An answer with output but zero tokens means the runtime reported no usage (its stream would have carried no usage
  // part): left out, so the attempt estimates it as for a stream, and a paid target's spend is not recorded as zero.
  const unreported = usage.inputTokens === 0 && usage.outputTokens === 0 && parts.length > 0;
  if (!unreported) parts.push({ type: 'usage', usage });
  parts.push({ type: 'finish', finishReason: result.finishReason });
  return parts;
}
