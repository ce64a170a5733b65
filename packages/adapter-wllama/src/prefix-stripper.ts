/**
 * Drops the assistant prefix a runtime echoes before its continuation (wllama's chat completion prefills a last
 * assistant message and returns it with the new text), so a continued answer never repeats what the caller already
 * has. Text is held back until it is long enough to tell; a runtime that does not echo loses nothing.
 */
export class PrefixStripper {
  private buffer = '';
  private decided: boolean;

  constructor(private readonly prefix: string) {
    this.decided = prefix.length === 0;
  }

  /** Takes the next piece of output; returns the text that is new. */
  push(text: string): string {
    if (this.decided) return text;
    this.buffer += text;
    if (this.buffer.length < this.prefix.length && this.prefix.startsWith(this.buffer)) return '';
    this.decided = true;
    const out = this.buffer.startsWith(this.prefix) ? this.buffer.slice(this.prefix.length) : this.buffer;
    this.buffer = '';
    return out;
  }

  /** What is left when the output ended before the prefix was fully seen. */
  flush(): string {
    if (this.decided) return '';
    this.decided = true;
    const rest = this.prefix.startsWith(this.buffer) ? '' : this.buffer;
    this.buffer = '';
    return rest;
  }
}
