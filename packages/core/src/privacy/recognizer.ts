import type { PiiKind } from './pii-kind.js';
import type { NumberToken, PiiScan, tokenShape } from './pii-scan.js';

/**
 * One named recognizer, after Microsoft Presidio's model: it knows one kind of data (a pattern, a checksum, context
 * words), and every finding carries its name and a confidence. Number recognizers are called once per number token
 * of the text; text recognizers once per text, behind their own cheap pre-filter.
 */
export interface PiiRecognizer {
  /** Stable name, reported with each finding (e.g. `'us-ssn'`). */
  readonly name: string;
  /** The kind it reports. */
  readonly kind: PiiKind;
  /**
   * Called for every number token (digits joined by separators) with a digit count in {@link digits}, as a plain
   * function: it must not use `this`.
   */
  scanNumber?(scan: PiiScan, token: NumberToken): void;
  /** The digit counts `scanNumber` can use, `[min, max]`; tokens outside skip the call. Default `[1, 40]`. */
  readonly digits?: readonly [min: number, max: number];
  /**
   * The token shapes `scanNumber` can use, as bits of {@link tokenShape} (what sits right around the token): a token
   * with none of them skips the call when pre-filters are on. Default: every token. Prose is full of small numbers
   * ("at 10", "page 7"), and most recognizers of small numbers need a letter or a colon right next to them.
   */
  readonly shapes?: number;
  /**
   * With pre-filters on, asked once per text (at its first number token): the shapes `scanNumber` can use in this
   * text, instead of {@link shapes}. For a recognizer whose needs depend on the whole text (a street word anywhere
   * makes every number after a word worth reading).
   */
  shapesIn?(scan: PiiScan): number;
  /** Called once per text. */
  scanText?(scan: PiiScan): void;
}
