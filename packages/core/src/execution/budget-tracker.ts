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

/** Spend in the current period, from actual usage × price; resets when the period changes. */
export class BudgetTracker {
  #period: BudgetPeriod = 'day';
  #start = Number.NEGATIVE_INFINITY;
  // Kept so that plan(), which asks on every request, compares numbers instead of doing calendar arithmetic.
  #end = Number.NEGATIVE_INFINITY;
  #spent = 0;

  /** Spend so far in the period that contains `now` (pure). */
  spentAt(period: BudgetPeriod, now: number): number {
    return period === this.#period && now >= this.#start && now < this.#end ? this.#spent : 0;
  }

  add(usd: number, period: BudgetPeriod, now: number): void {
    if (period !== this.#period || now < this.#start || now >= this.#end) {
      this.#period = period;
      this.#start = periodStart(period, now);
      this.#end = nextPeriodStart(period, now);
      this.#spent = 0;
    }
    this.#spent += usd;
  }
}
