import { InvalidPolicyError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { piiKinds } from '../privacy/pii-kind.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { parsePolicy } from './parse-policy.js';

function policyError(input: unknown): InvalidPolicyError {
  try {
    parsePolicy(input);
  } catch (error) {
    if (InvalidPolicyError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected parsePolicy to throw');
}

describe('parsePolicy', () => {
  it('applies the documented defaults to an empty policy', () => {
    const policy = parsePolicy({});
    expect(policy.mode).toBe('prefer-local');
    expect(policy.privacy).toEqual({
      detectPii: true,
      detect: [...piiKinds],
      minConfidence: 0.5,
      onDetected: 'local-only',
    });
    expect(policy.device).toEqual({ minBatteryLevel: 0.2, maxThermalState: 'serious' });
    expect(policy.execution.retries).toBe(1);
    expect(policy.execution.circuit).toEqual({
      enabled: true,
      failureThreshold: 5,
      windowMs: 60_000,
      cooldownMs: 30_000,
    });
    expect(policy.rules).toEqual([]);
  });

  it("bounds the circuit breaker's failureThreshold and names the off switch instead of a huge threshold", () => {
    const problem = policyError({ execution: { circuit: { failureThreshold: 1_000_000 } } }).problems[0];
    expect(problem?.path).toBe('policy.execution.circuit.failureThreshold');
    expect(problem?.message).toContain('at most 1000');
    expect(problem?.message).toContain('execution.circuit.enabled: false');
    expect(
      parsePolicy({ execution: { circuit: { failureThreshold: 1_000 } } }).execution.circuit.failureThreshold,
    ).toBe(1_000);
    expect(parsePolicy({ execution: { circuit: { enabled: false } } }).execution.circuit.enabled).toBe(false);
    expect(policyError({ execution: { circuit: { enabled: 'no' } } }).problems[0]?.path).toBe(
      'policy.execution.circuit.enabled',
    );
  });

  it('names the path of a bad rule condition, e.g. policy.rules[1].when.battery', () => {
    const error = policyError({
      rules: [
        { when: { tags: ['a'] }, use: ['gpu'] },
        { when: { battery: 0.2 }, use: ['gpu'] },
      ],
    });
    expect(error.problems[0]?.path).toBe('policy.rules[1].when.battery');
    expect(error.message).toContain('policy.rules[1].when.battery');
  });

  it('rejects unknown keys and bad modes with their paths', () => {
    expect(policyError({ mode: 'fastest' }).problems[0]?.path).toBe('policy.mode');
    expect(policyError({ device: { minBattery: 0.1 } }).message).toContain('unknown key "minBattery"');
    expect(policyError({ rules: [{ when: {} }] }).message).toContain('"use", "prefer" or "avoid"');
  });

  it('rejects rules that name targets the router does not have', () => {
    const device = createScriptedTarget();
    expect(() => createRouter({ targets: { device }, policy: { rules: [{ when: {}, use: ['gpu'] }] } })).toThrow(
      /policy\.rules\[0\]\.use\[0\]: unknown target "gpu"/,
    );
  });

  it('validates setPolicy too and keeps the old policy when the new one is invalid', () => {
    const router = createRouter({ targets: { device: createScriptedTarget() } });
    expect(() => router.setPolicy({ mode: 'auto', weights: { cost: -1 } })).toThrow(/policy\.weights\.cost/);
    expect(router.policy.mode).toBe('prefer-local');
    router.setPolicy({ mode: 'local-only' });
    expect(router.policy.mode).toBe('local-only');
  });

  it('refuses more than 10 retries per target and points at fallback targets for more resilience', () => {
    expect(parsePolicy({ execution: { retries: 10 } }).execution.retries).toBe(10);
    const error = policyError({ execution: { retries: 1_000_000 } });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe('policy.execution.retries');
    expect(error.message).toContain('policy.execution.retries: expected at most 10 retries per target');
    expect(error.message).toContain('fallback targets');
  });

  it('refuses a remote-share window over 10000 requests (a shared store scans the whole window on every request)', () => {
    expect(parsePolicy({ quality: { remoteShareWindow: 10_000 } }).quality.remoteShareWindow).toBe(10_000);
    expect(policyError({ quality: { remoteShareWindow: 1_000_000 } }).problems).toEqual([
      {
        path: 'policy.quality.remoteShareWindow',
        message: 'expected at most 10000 requests; a longer window barely moves the share',
      },
    ]);
  });

  it('refuses a null policy in createRouter and setPolicy (and setPolicy with none), saying {} gives the defaults', () => {
    const device = createScriptedTarget();
    const nullPolicy = () => createRouter({ targets: { device }, policy: null as never });
    expect(nullPolicy).toThrow(InvalidPolicyError);
    expect(nullPolicy).toThrow(
      'Invalid policy: policy: expected a policy object, received null; pass {} for the defaults',
    );
    const router = createRouter({ targets: { device }, policy: { mode: 'local-only' } });
    for (const input of [null, undefined]) {
      const error = (() => {
        try {
          router.setPolicy(input as never);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(InvalidPolicyError.isInstance(error)).toBe(true);
      expect((error as InvalidPolicyError).problems).toEqual([
        { path: 'policy', message: `expected a policy object, received ${input}; pass {} for the defaults` },
      ]);
    }
    expect(router.policy.mode).toBe('local-only');
    router.setPolicy({});
    expect(router.policy.mode).toBe('prefer-local');
    expect(createRouter({ targets: { device }, policy: undefined }).policy.mode).toBe('prefer-local');
  });
});
