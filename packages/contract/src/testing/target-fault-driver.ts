/**
 * The faults {@link runTargetFaultConformance} injects. A subset of the `Fault` union of the fault proxy in
 * `@switchyard/adapter-utils/testing` (which builds its union from this one), declared here because the contract
 * depends on no other Switchyard package: any driver that accepts these values works.
 *
 * Faults that count events count stream frames: Server-Sent Events (blocks ended by a blank line) or NDJSON lines.
 */
export type TargetFault =
  /** Reset the TCP connection (RST) as soon as the request arrives, before any response byte. */
  | { type: 'reset-before-first-byte' }
  /** Forward the first `events` frames, then reset the connection. */
  | { type: 'reset-after-events'; events: number }
  /** Forward the first `events` frames, then two thirds of the next one, then end the response cleanly. */
  | { type: 'truncate-after-events'; events: number }
  /**
   * Forward the first `events` frames, then one frame of `bytes` bytes that never ends (no terminator), then keep the
   * connection open: a reader without a size cap buffers all of it and then waits for a deadline.
   */
  | { type: 'oversized-event'; events: number; bytes: number }
  /** Answer with this status without contacting the upstream; `retryAfter` becomes the `Retry-After` header. */
  | { type: 'status'; status: number; retryAfter?: string | number }
  /** Accept the request and never answer. */
  | { type: 'hang' }
  /** Forward the first `events` frames, then send nothing more and keep the connection open. */
  | { type: 'hang-after-events'; events: number };

/**
 * What drives the faults: an HTTP proxy in front of the adapter's server. `startFaultProxy()` from
 * `@switchyard/adapter-utils/testing` returns one (its `FaultProxy` extends this interface); so can any proxy that
 * implements these four members.
 */
export interface TargetFaultDriver {
  /** The proxy's origin, e.g. `http://127.0.0.1:41234`; the suite passes it to `createTarget`. */
  readonly url: string;
  /** Sets the fault for every later request; `null` passes requests through. */
  setFault(fault: TargetFault | null): void;
  /**
   * Responses the proxy has begun and not yet ended, including ones held open under a hang or stall until the client
   * closes its connection; idle kept-alive connections do not count. The suite checks that an abort and `dispose()`
   * bring it back to zero.
   */
  openResponses(): number;
  /** The origin of a loopback port nothing listens on, for the refused-connection check. */
  closedURL(): Promise<string>;
}
