import { InvalidPolicyError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import type { PolicyInput } from '../policy/policy.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

function makeRouter(policy: PolicyInput = {}) {
  const device = createScriptedTarget({ id: 'device', locality: 'local' });
  const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote' });
  return createRouter({ targets: { device, gpu }, policy });
}

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }], maxTokens: 16 });

describe('router.plan: privacy.detect and privacy.minConfidence', () => {
  it('keeps a request with a phone number written in a national layout on the device', () => {
    const plan = makeRouter({ privacy: { regions: ['GB'] } }).plan(ask('Ring me on 07911 123456 tonight'));
    expect(plan.plan.map((entry) => entry.target)).toEqual(['device']);
    expect(plan.privacy.detected).toEqual(['phone-number']);
  });

  it('looks only for the kinds in privacy.detect', () => {
    const router = makeRouter({ privacy: { detect: ['email'] } });
    expect(router.plan(ask('call +44 20 7946 0958')).privacy.detected).toEqual([]);
    expect(router.plan(ask('mail ada@example.org')).privacy.detected).toEqual(['email']);
  });

  it('ignores findings below privacy.minConfidence', () => {
    // A public IPv4 address without a context word scores 0.6.
    expect(makeRouter().plan(ask('ping 203.0.113.9 twice')).privacy.detected).toEqual(['ip-address']);
    expect(
      makeRouter({ privacy: { minConfidence: 0.7 } }).plan(ask('ping 203.0.113.9 twice')).privacy.detected,
    ).toEqual([]);
  });

  it('names the kind in the explanation, never the value', () => {
    const value = '4111 1111 1111 1111';
    const plan = makeRouter().plan(ask(`charge ${value} please`));
    const text = [...plan.explanation, ...plan.excluded.map((entry) => entry.detail)].join('\n');
    expect(text).toContain('card-number');
    expect(text).not.toContain(value);
    expect(text).not.toContain('4111');
  });

  it.each([
    [{ privacy: { detect: [] } }, 'policy.privacy.detect', /at least one kind/],
    [{ privacy: { detect: ['postcode'] } }, 'policy.privacy.detect[0]', /expected one of/i],
    [{ privacy: { minConfidence: 1.5 } }, 'policy.privacy.minConfidence', /1/],
    [{ privacy: { regions: ['Germany'] } }, 'policy.privacy.regions[0]', /ISO 3166-1 alpha-2/],
  ])('rejects %j with an error at %s', (policy, path, message) => {
    let caught: unknown;
    try {
      makeRouter(policy as PolicyInput);
    } catch (error) {
      caught = error;
    }
    expect(InvalidPolicyError.isInstance(caught)).toBe(true);
    const problem = (caught as InvalidPolicyError).problems[0]!;
    expect(problem.path).toBe(path);
    expect(problem.message).toMatch(message);
  });
});
