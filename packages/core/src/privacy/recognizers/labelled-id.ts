import type { NumberToken, PiiScan } from '../pii-scan.js';
import { contextBoost } from '../pii-scan.js';

/**
 * Reports `token` as a national id named `recognizer` when it is written as `layout` says and `label` matches in the
 * words before it: for a number whose check digit passes often by chance (one in ten or eleven), so that only its
 * label tells it from an order number or a phone number. At 0.9, above a phone number of the page's region (0.7).
 */
export function addIfLabelled(
  scan: PiiScan,
  token: NumberToken,
  recognizer: string,
  layout: RegExp,
  label: RegExp,
): void {
  if (layout.test(scan.text.slice(token.start, token.end)) && scan.hasContextBefore(token.start, label)) {
    scan.add('national-id', recognizer, token.start, token.end, 0.55 + contextBoost);
  }
}
