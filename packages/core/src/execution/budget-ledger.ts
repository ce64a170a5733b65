import type { StateStore } from '@switchyard/contract';
import { BudgetExceededError } from '@switchyard/contract';
import { budgetDetail } from '../decision/explain-plan.js';
import type { Policy } from '../policy/policy.js';

/** Budget periods; they are calendar periods in UTC (the hour, the day, the month), not rolling windows. */
export type BudgetPeriod = 'hour' | 'day' | 'month';

/** The start (epoch ms) of the UTC calendar period that contains `now`. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  switch (period) {
    case 'hour':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours());
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}

/** The start (epoch ms) of the UTC calendar period after the one that contains `now`. */
export function nextPeriodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  switch (period) {
    case 'hour':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours() + 1);
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
}

/** A period-budget reservation held by one attempt; settled to the real cost or released when the attempt closes. */
export interface BudgetHold {
  key: string;
  reservationId: string;
  amountUsd: number;
  /** When the period ends: the key lives a little longer, so a settle at 23:59:59 is not lost. */
  periodEnd: number;
}

/**
 * How long an unsettled reservation holds its dollars: longer than any sane request, short enough that a replica that
 * died mid-request gives the budget back within minutes.
 */
export const reservationTtlMs = 15 * 60_000;
/** How long a period's record outlives the period (late settles, clock skew between replicas). */
const keyGraceMs = 60 * 60_000;

/**
 * The period budget, bound through a `StateStore`: an attempt on a paid target reserves its estimated cost before it
 * is dispatched (atomically in the store, so concurrent requests on every replica sharing the store cannot overspend),
 * and the hold is settled to the real cost or released when the attempt closes. `plan()` is synchronous and does no
 * I/O, so it reads the spend and holds from the store's last answer (`usedAt`); the reservation is what binds.
 */
export class BudgetLedger {
  #key = '';
  #start = Number.NEGATIVE_INFINITY;
  #end = Number.NEGATIVE_INFINITY;
  #period: BudgetPeriod | undefined;
  #usedUsd = 0;

  constructor(
    private readonly store: StateStore,
    private readonly clock: () => number,
    private readonly onStoreError: (error: unknown) => void,
  ) {}

  /** The store key of the period containing `now`; recomputed only when the period changes. */
  #keyAt(period: BudgetPeriod, now: number): string {
    if (period !== this.#period || now < this.#start || now >= this.#end) {
      this.#period = period;
      this.#start = periodStart(period, now);
      this.#end = nextPeriodStart(period, now);
      this.#key = `budget:${period}:${new Date(this.#start).toISOString()}`;
      this.#usedUsd = 0;
    }
    return this.#key;
  }

  /** Spend plus open holds in the period containing `now`, as of the store's last answer (pure, for `plan()`). */
  usedAt(period: BudgetPeriod, now: number): number {
    return period === this.#period && now >= this.#start && now < this.#end ? this.#usedUsd : 0;
  }

  #observe(key: string, state: { spentUsd: number; reservedUsd: number }): void {
    if (key === this.#key) this.#usedUsd = state.spentUsd + state.reservedUsd;
  }

  /** Reads the current period's spend from the store (at start-up, so a new replica plans with what others spent). */
  async refresh(policy: Policy): Promise<void> {
    const budget = policy.budget.maxCostUsd;
    if (budget === undefined) return;
    const key = this.#keyAt(budget.period, this.clock());
    this.#observe(key, await this.store.readBudget(key));
  }

  /**
   * Holds `amountUsd` against `policy`'s period budget. Resolves `undefined` when the policy has no period budget;
   * rejects with `BudgetExceededError` (scope `period`) when the hold does not fit.
   */
  async reserve(amountUsd: number, policy: Policy, requestId: string, target: string): Promise<BudgetHold | undefined> {
    const budget = policy.budget.maxCostUsd;
    if (budget === undefined || amountUsd <= 0) return undefined;
    const now = this.clock();
    const key = this.#keyAt(budget.period, now);
    const periodEnd = this.#end;
    // Request ids are unique per router only; replicas sharing a store need ids unique across all of them.
    const reservationId = `${requestId}:${globalThis.crypto.randomUUID()}`;
    const answer = await this.store.reserveBudget({
      key,
      reservationId,
      amountUsd,
      limitUsd: budget.amount,
      reservationTtlMs,
      keyTtlMs: periodEnd - now + keyGraceMs,
    });
    this.#observe(key, answer);
    if (!answer.granted) {
      const used = answer.spentUsd + answer.reservedUsd;
      throw new BudgetExceededError({
        scope: 'period',
        limitUsd: budget.amount,
        spentUsd: used,
        target,
        detail: budgetDetail(amountUsd, Math.max(0, budget.amount - used)),
      });
    }
    return { key, reservationId, amountUsd, periodEnd };
  }

  /** Replaces a hold by the real cost. Never throws: a store failure is reported, the request is not failed for it. */
  settle(hold: BudgetHold, actualUsd: number): void {
    const now = this.clock();
    this.store
      .settleBudget({
        key: hold.key,
        reservationId: hold.reservationId,
        actualUsd,
        keyTtlMs: Math.max(hold.periodEnd - now, 0) + keyGraceMs,
      })
      .then((state) => this.#observe(hold.key, state), this.onStoreError);
  }

  /** Drops a hold without spending (the attempt failed or was aborted before it cost anything). */
  release(hold: BudgetHold): void {
    this.store
      .releaseBudget({ key: hold.key, reservationId: hold.reservationId })
      .then((state) => this.#observe(hold.key, state), this.onStoreError);
  }
}
