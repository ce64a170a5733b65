import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.budget-exceeded');

/** Which budget ran out: the policy's period budget, or the per-request cap that covers all of a request's attempts. */
export type BudgetScope = 'period' | 'request';

/**
 * A paid target would exceed a budget and no other target may serve the request. `scope` says which budget, `limitUsd`
 * its size, `spentUsd` what was spent or held against it when the request was refused. Gateways answer it with 429.
 */
export class BudgetExceededError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly scope: BudgetScope;
  readonly limitUsd: number;
  readonly spentUsd: number;

  /**
   * @param options.detail What did not fit, e.g. `estimated $8 exceeds the $0.5 left`: a cap below one request's
   * estimate refuses every request with nothing spent, and the message must say why.
   */
  constructor(options: {
    scope: BudgetScope;
    limitUsd: number;
    spentUsd: number;
    target?: string;
    message?: string;
    detail?: string;
  }) {
    const which = options.scope === 'period' ? 'the period budget' : 'the per-request cost cap';
    super({
      code: 'budget-exceeded',
      message:
        options.message ??
        `Budget exceeded: ${which} of $${options.limitUsd} would be passed ($${round(options.spentUsd)} already spent or held${options.detail ? `; ${options.detail}` : ''})` +
          (options.target ? ` for target "${options.target}"` : '') +
          ". Raise policy.budget (or the request's routing.maxCostUsd), or allow a local target.",
      ...(options.target ? { target: options.target } : {}),
    });
    this[marker] = true;
    this.name = 'BudgetExceededError';
    this.scope = options.scope;
    this.limitUsd = options.limitUsd;
    this.spentUsd = options.spentUsd;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), scope: this.scope, limitUsd: this.limitUsd, spentUsd: this.spentUsd };
  }
}

function round(usd: number): string {
  return usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
