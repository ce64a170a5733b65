import type { ServerResponse } from 'node:http';

function flushLater(writer: EventStreamWriter): void {
  writer.flush();
}

/**
 * Writes an event stream to a response with at most one `write()` per tick. The router yields the parts of one network
 * chunk in one tick (microtasks); writing each as it comes costs a chunk of the chunked encoding (size line, data,
 * CRLF) and a pass through `http`'s write path per event. Queued here, they leave together on the next tick, and what
 * is still queued when the answer ends goes out with `end()`.
 *
 * Backpressure: when the socket's buffer is full, {@link waitForRoom} returns a promise that settles on `drain` (or
 * `close`), so the caller stops pulling parts from the router, which stops reading its upstream. Text queued within
 * one tick is never more than one network chunk's worth of events.
 */
export class EventStreamWriter {
  readonly #response: ServerResponse;
  #queued = '';
  #scheduled = false;
  #full = false;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  /** Queues `text`; it is written on the next tick, or by {@link end}, whichever comes first. */
  push(text: string): void {
    this.#queued += text;
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(flushLater, this);
  }

  /** Writes what is queued now. */
  flush(): void {
    this.#scheduled = false;
    const text = this.#queued;
    if (text === '') return;
    this.#queued = '';
    const response = this.#response;
    if (response.destroyed || response.writableEnded) return;
    if (!response.write(text)) this.#full = true;
  }

  /**
   * `undefined` while the client keeps up; else a promise that settles when the socket drained or closed. A full buffer
   * is seen after the flush of the tick that filled it, so the caller pulls at most one more tick's parts meanwhile.
   */
  waitForRoom(): Promise<void> | undefined {
    if (!this.#full) return undefined;
    const response = this.#response;
    if (response.destroyed || !response.writableNeedDrain) {
      this.#full = false;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        this.#full = false;
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  /** Ends the response with whatever is still queued, plus `text`. */
  end(text = ''): void {
    const rest = this.#queued + text;
    this.#queued = '';
    const response = this.#response;
    if (response.destroyed || response.writableEnded) return;
    if (rest === '') response.end();
    else response.end(rest);
  }
}
