/** What is known about one message text, whichever message object carries it. */
export interface TextFacts {
  readonly text: string;
  readonly key: number;
  /** Personal-data kinds; `undefined` until the detector has run on this text. */
  pii: string[] | undefined;
  /** The detector that found {@link pii} (policies may configure different ones). */
  piiDetector: unknown;
  /** Raw token counts by tokenizer (without the per-message overhead). */
  counted: Map<(text: string) => number | undefined, number> | undefined;
}

/** Texts sharing one fingerprint that are kept; a full group takes no more, so a lookup compares at most this many. */
const maxGroup = 8;

/** Length and 16 evenly spaced characters: O(1) per text, whatever its size. */
function fingerprint(text: string): number {
  const length = text.length;
  const step = length > 16 ? length >>> 4 : 1;
  let hash = length;
  for (let index = 0; index < length; index += step) hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0;
  return (Math.imul(hash, 31) + text.charCodeAt(length - 1)) | 0;
}

/**
 * Facts about recently seen message texts, found by content. Applications often send the same strings in new
 * message objects (a system prompt constant, a chat history rebuilt per turn), and the PII scan and tokenizers cost
 * far more than finding the string again. A `Map` keyed by the text would hash every new string in full first,
 * which costs about as much as the scan it saves, so texts are grouped by a sampled fingerprint and compared with
 * `===` (which stops at the first differing character). Bounded by entries and characters; the oldest goes first.
 */
export class RecentTexts {
  readonly #byKey = new Map<number, TextFacts[]>();
  readonly #order: TextFacts[] = [];
  #oldest = 0;
  #chars = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}

  /** The facts of `text`, creating (and remembering) empty ones when it was not seen recently. */
  get(text: string): TextFacts {
    const key = fingerprint(text);
    const bucket = this.#byKey.get(key);
    if (bucket !== undefined) {
      for (const facts of bucket) if (facts.text === text) return facts;
    }
    const facts: TextFacts = { text, key, pii: undefined, piiDetector: undefined, counted: undefined };
    // A text larger than the whole budget is analysed but not kept, and so is one whose group is full.
    if (text.length > this.maxChars || (bucket !== undefined && bucket.length >= maxGroup)) return facts;
    while (this.#order.length - this.#oldest >= this.maxEntries || this.#chars + text.length > this.maxChars) {
      this.#evictOldest();
    }
    // Eviction may have emptied and dropped this group.
    const group = this.#byKey.get(key);
    if (group === undefined) this.#byKey.set(key, [facts]);
    else group.push(facts);
    this.#order.push(facts);
    this.#chars += text.length;
    return facts;
  }

  get size(): number {
    return this.#order.length - this.#oldest;
  }

  clear(): void {
    this.#byKey.clear();
    this.#order.length = 0;
    this.#oldest = 0;
    this.#chars = 0;
  }

  #evictOldest(): void {
    const facts = this.#order[this.#oldest];
    if (facts === undefined) return;
    this.#order[this.#oldest] = undefined as unknown as TextFacts;
    this.#oldest += 1;
    // Compact the queue now and then instead of shifting it on every eviction.
    if (this.#oldest > 64 && this.#oldest * 2 > this.#order.length) {
      this.#order.splice(0, this.#oldest);
      this.#oldest = 0;
    }
    this.#chars -= facts.text.length;
    const bucket = this.#byKey.get(facts.key)!;
    if (bucket.length === 1) this.#byKey.delete(facts.key);
    else bucket.splice(bucket.indexOf(facts), 1);
  }
}
