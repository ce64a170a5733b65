/**
 * Cuts streamed text at the first stop sequence, for runtimes that cannot stop by themselves. Text that could be the
 * start of a stop sequence is held back until the next chunk says whether it is, so nothing after a stop sequence is
 * ever emitted.
 */
export class StopSequences {
  private pending = '';
  private readonly longest: number;
  /** True once a stop sequence was found; the caller ends generation. */
  stopped = false;

  constructor(private readonly stops: readonly string[] = []) {
    this.longest = Math.max(0, ...stops.map((stop) => stop.length));
  }

  /** Takes the next chunk; returns the text that is safe to emit now. */
  push(chunk: string): string {
    if (this.stopped) return '';
    if (this.longest === 0) return chunk;
    const text = this.pending + chunk;
    let cut = -1;
    for (const stop of this.stops) {
      const at = text.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.stopped = true;
      this.pending = '';
      return text.slice(0, cut);
    }
    const keep = Math.min(text.length, this.longest - 1);
    this.pending = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** The held-back text once the stream ended without a stop sequence. */
  flush(): string {
    const rest = this.stopped ? '' : this.pending;
    this.pending = '';
    return rest;
  }
}
