import type { Exclusion } from '../exclusion-reason.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.no-eligible-target');

/** No target may serve the request. `excluded` lists every target with its reason code and detail. */
export class NoEligibleTargetError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly excluded: Exclusion[];

  constructor(options: { excluded: Exclusion[]; message?: string }) {
    const list = options.excluded.map((entry) => `${entry.target} (${entry.reason}: ${entry.detail})`).join('; ');
    super({
      code: 'no-eligible-target',
      message: options.message ?? `No eligible target: ${list || 'no targets are configured'}`,
    });
    this[marker] = true;
    this.name = 'NoEligibleTargetError';
    this.excluded = options.excluded;
  }

  static override isInstance(error: unknown): error is NoEligibleTargetError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), excluded: this.excluded };
  }
}
