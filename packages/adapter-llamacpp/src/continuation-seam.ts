import type { LlamaModel, Token } from 'node-llama-cpp';

/**
 * SentencePiece tokenizers (Llama 2, Mistral, Gemma, …) mark a word's leading space inside the token (`▁word`), and
 * their detokenizer drops that space on the first token of a text. Two things follow for an answer continued after an
 * assistant prefix (mid-stream failover), and this file handles both:
 * - the prefix is decoded text whose first token lost its space, so rendered into the chat template it tokenizes to
 *   other tokens than the model (or any SentencePiece model, trained with a space before every text) would have
 *   produced: the prefix goes back into the context with the space;
 * - the continuation's first token is decoded as the start of a text, so its space is dropped and the seam reads
 *   "brownfox": that token is decoded after the prefix's tokens instead.
 * Byte-level BPE tokenizers (Llama 3, Qwen, …) keep spaces in their tokens and are left alone.
 */
export function dropsLeadingSpace(model: LlamaModel): boolean {
  const probe = model.tokenize('x x');
  const last = probe.at(-1);
  if (last === undefined || probe.length < 2) return false;
  const alone = model.detokenize([last]);
  const afterText = model.detokenize([last], false, probe.slice(0, -1));
  return afterText.startsWith(' ') && !alone.startsWith(' ');
}

/** The assistant prefix as it goes into the model's context: with the leading space its first token carried. */
export function prefixForContext(prefix: string, leadingSpaceDropped: boolean): string {
  return leadingSpaceDropped && prefix !== '' && !/^\s/.test(prefix) ? ` ${prefix}` : prefix;
}

/**
 * Restores the space the detokenizer dropped at the start of a continuation. Feed it the generated tokens
 * (`onToken`) and the text chunks (`onTextChunk`), in the order the generator calls them; it changes only the first
 * non-empty chunk, and only by the whitespace the same tokens decode to after the prefix.
 */
export class ContinuationSeam {
  private readonly pending: Token[] = [];
  private done = false;

  constructor(
    private readonly model: LlamaModel,
    private readonly prefix: string,
  ) {}

  tokens(tokens: readonly Token[]): void {
    if (!this.done) this.pending.push(...tokens);
  }

  text(chunk: string): string {
    if (this.done || chunk === '') return chunk;
    this.done = true;
    if (this.pending.length === 0 || /^\s/.test(chunk)) return chunk;
    // A few tokens of the prefix are enough for the detokenizer to decide about the space.
    const before = this.model.tokenize(this.prefix.slice(-32));
    const decoded = this.model.detokenize(this.pending, false, before);
    const restored = decoded.length - chunk.length;
    if (restored > 0 && decoded.endsWith(chunk) && /^\s+$/.test(decoded.slice(0, restored))) return decoded;
    return chunk;
  }
}
