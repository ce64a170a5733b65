import type { ExclusionReason, Locality } from '@switchyard/contract';
import type { RouteSummary } from '@switchyard/core';

/** One answered (or failed) request, as the page's chart and the tour table show it. */
export interface DecisionRecord {
  /** Sequence number, from 1. */
  id: number;
  /** Epoch ms when the request finished. */
  at: number;
  /** Who answered; `null` when nothing could run it. */
  target: string | null;
  locality: Locality | null;
  ttftMs?: number;
  /** The whole request, every attempt included. */
  durationMs: number;
  tokensPerSecond?: number;
  costUsd: number;
  fallbacks: number;
  hedged: boolean;
  /** Targets left out and why. */
  excluded: { target: string; reason: ExclusionReason }[];
  private: boolean;
}

/** Turns a route summary into a record. */
export function toDecisionRecord(id: number, route: RouteSummary, at: number): DecisionRecord {
  const first = route.attempts[0];
  const last = route.attempts.at(-1);
  const durationMs = first && last ? Math.max(0, last.startedAt + last.durationMs - first.startedAt) : 0;
  return {
    id,
    at,
    target: route.target ?? null,
    locality: route.locality ?? null,
    ...(route.ttftMs === undefined ? {} : { ttftMs: route.ttftMs }),
    durationMs,
    ...(route.tokensPerSecond === undefined ? {} : { tokensPerSecond: route.tokensPerSecond }),
    costUsd: route.costUsd,
    fallbacks: route.fallbacks,
    hedged: route.hedged,
    excluded: route.plan.excluded.map(({ target, reason }) => ({ target, reason })),
    private: route.plan.privacy.private,
  };
}

/** The most recent decisions, oldest first; a fixed-size window so a long-running demo stays small. */
export class DecisionLog {
  readonly #records: DecisionRecord[] = [];
  #next = 1;

  constructor(readonly capacity = 60) {}

  add(route: RouteSummary, at: number = Date.now()): DecisionRecord {
    const record = toDecisionRecord(this.#next++, route, at);
    this.#records.push(record);
    if (this.#records.length > this.capacity) this.#records.splice(0, this.#records.length - this.capacity);
    return record;
  }

  /** A request nothing could run: recorded so the chart shows the gap. */
  addFailure(excluded: DecisionRecord['excluded'], at: number = Date.now()): DecisionRecord {
    const record: DecisionRecord = {
      id: this.#next++,
      at,
      target: null,
      locality: null,
      durationMs: 0,
      costUsd: 0,
      fallbacks: 0,
      hedged: false,
      excluded,
      private: false,
    };
    this.#records.push(record);
    if (this.#records.length > this.capacity) this.#records.splice(0, this.#records.length - this.capacity);
    return record;
  }

  list(): DecisionRecord[] {
    return [...this.#records];
  }
}
