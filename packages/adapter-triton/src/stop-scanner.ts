/**
 * Enforces stop sequences on streamed text, on the client. Triton's generate endpoint has no portable way to pass a
 * list of stop strings (request parameters are scalars, and each backend names them differently), so the adapter
 * cuts the text itself: output is held back only while it could still be the start of a stop sequence.
 */
export class StopScanner {
  private held = '';
  private stopped = false;
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = Math.max(0, ...stops.map((stop) => stop.length));
  }

  get hasStopped(): boolean {
    return this.stopped;
  }

  /** Adds generated text; returns what may be shown now (text before a stop sequence, never the stop itself). */
  push(text: string): string {
    if (this.stopped) return '';
    if (this.longest === 0) return text;
    this.held += text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.held.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.stopped = true;
      const out = this.held.slice(0, cut);
      this.held = '';
      return out;
    }
    const keep = this.longest - 1;
    const out = this.held.slice(0, Math.max(0, this.held.length - keep));
    this.held = this.held.slice(out.length);
    return out;
  }

  /** The stream ended without a stop sequence: release what was held back. */
  flush(): string {
    const out = this.stopped ? '' : this.held;
    this.held = '';
    return out;
  }
}
