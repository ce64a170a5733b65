/**
 * Removes an assistant prefix the server repeats at the start of its answer. llama-server continues a final
 * assistant message but returns that message's text plus the continuation; the contract wants only the new text.
 * Text that does not start with the prefix passes through untouched, so servers that do not echo are unaffected.
 */
export class EchoedPrefix {
  private held = '';
  private settled = false;

  constructor(private readonly prefix: string) {}

  /** Takes the next piece of answer text and returns what may be emitted now (possibly ''). */
  push(text: string): string {
    if (this.settled) return text;
    this.held += text;
    if (this.held.startsWith(this.prefix)) {
      this.settled = true;
      return this.held.slice(this.prefix.length);
    }
    // Still a possible echo: wait for more text before deciding.
    if (this.prefix.startsWith(this.held)) return '';
    this.settled = true;
    return this.held;
  }

  /** The text still held back when the answer ended (a short answer that happened to match the prefix's start). */
  flush(): string {
    if (this.settled) return '';
    this.settled = true;
    return this.held;
  }
}
