import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createManualSignals } from '../signals/create-manual-signals.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

function targets() {
  return {
    device: createScriptedTarget({ id: 'device', locality: 'local' }),
    laptop: createScriptedTarget({ id: 'laptop', locality: 'local', capabilities: { tools: false } }),
    gpu: createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      capabilities: { price: { inputPer1M: 1, outputPer1M: 2 } },
    }),
    cloud: createScriptedTarget({
      id: 'cloud',
      locality: 'remote',
      capabilities: { price: { inputPer1M: 30, outputPer1M: 60 } },
    }),
  };
}

function autoRouter() {
  const signals = createManualSignals({
    battery: { level: 0.55, charging: true },
    thermal: 'fair',
    memory: { freeBytes: 4 * 1024 * 1048576 },
    network: { online: true, metered: true },
  });
  return createRouter({
    targets: targets(),
    signals,
    difficulty: () => 0.8,
    policy: {
      mode: 'auto',
      quality: { threshold: 0.5 },
      budget: { maxCostUsdPerRequest: 0.001 },
      rules: [
        { name: 'drafts', when: { tags: ['draft'] }, use: ['device'] },
        { when: { metered: true }, avoid: ['laptop'], prefer: ['gpu'] },
      ],
    },
  });
}

const autoRequest = {
  messages: [{ role: 'user' as const, content: 'Explain signalling' }],
  maxTokens: 64,
  routing: { deadlineMs: 500 },
};

// These lines were recorded from the router that built its explanation eagerly; the lazy one must match them.
const autoLines = [
  'signals: battery 55% (charging), thermal fair, 4096 MiB free, online, metered',
  'policy.rules[1] matched: prefer gpu; avoid laptop',
  'difficulty 0.80 (threshold 0.5): local targets demoted below remote ones',
  'score device = 0.48 (expected 3450 ms > deadline 500 ms, $0.00, quality 0.3)',
  'score gpu = 0.478 (expected 1400 ms > deadline 500 ms, $0.00014, quality 0.8)',
  'excluded laptop: rule (policy.rules[1] avoids it)',
  'excluded cloud: budget (estimated $0.0041 exceeds the $0.0010 left)',
  'plan (auto): gpu → device',
];

describe('plan explanation (built when first read)', () => {
  it('has the same lines as before for auto mode with a rule, difficulty, scores, a deadline and exclusions', () => {
    expect(autoRouter().plan(autoRequest).explanation).toEqual(autoLines);
  });

  it('has the same lines as before for detected personal data and capability exclusions', () => {
    const router = createRouter({ targets: targets() });
    const plan = router.plan({
      messages: [{ role: 'user', content: 'mail ada@example.org, card 4111 1111 1111 1111' }],
      tools: [{ name: 't', parameters: { type: 'object' } }],
    });
    expect(plan.explanation).toEqual([
      'signals: none reported (unknown counts as fine)',
      'privacy: detected email, card-number, so only local targets may run it (fails closed)',
      'excluded laptop: capability (request has tools and the target does not support tool calls)',
      'excluded gpu: privacy (request contains email, card-number)',
      'excluded cloud: privacy (request contains email, card-number)',
      'plan (prefer-local): device',
    ]);
  });

  it('has the same lines as before for a private request with signal overrides', () => {
    const router = createRouter({ targets: targets() });
    const plan = router.plan(
      { messages: [{ role: 'user', content: 'hi' }], routing: { privacy: 'private' } },
      { signals: { device: { network: { online: false } }, targets: { device: { status: 'downloading' } } } },
    );
    expect(plan.explanation).toEqual([
      'signals: offline',
      'privacy: request is marked private, so only local targets may run it',
      'excluded device: unavailable (model downloading (0%))',
      'excluded gpu: privacy (request is marked private)',
      'excluded cloud: privacy (request is marked private)',
      'plan (prefer-local): laptop',
    ]);
  });

  it('describes the signals read at decision time, not later readings', () => {
    const signals = createManualSignals({ battery: { level: 0.9 } });
    const router = createRouter({ targets: targets(), signals });
    const plan = router.plan({ messages: [{ role: 'user', content: 'hi' }] });
    signals.set({ battery: { level: 0.1 } });
    expect(plan.explanation[0]).toBe('signals: battery 90%');
  });

  it('is an own enumerable property: JSON, spreading and structuredClone carry it, in the usual key order', () => {
    const router = autoRouter();
    const json = JSON.parse(JSON.stringify(router.plan(autoRequest))) as Record<string, unknown>;
    expect(json.explanation).toEqual(autoLines);
    expect(Object.keys(json)).toEqual(['plan', 'excluded', 'explanation', 'privacy', 'difficulty', 'promptTokens']);
    expect({ ...router.plan(autoRequest) }.explanation).toEqual(autoLines);
    expect(structuredClone(router.plan(autoRequest)).explanation).toEqual(autoLines);
    expect(Object.keys(router.plan(autoRequest))).toContain('explanation');
  });

  it('is built once and kept, and can be replaced or extended by the reader', () => {
    const router = autoRouter();
    const plan = router.plan(autoRequest);
    const first = plan.explanation;
    expect(plan.explanation).toBe(first);
    plan.explanation.push('note: read by a test');
    expect(plan.explanation.at(-1)).toBe('note: read by a test');
    const other = router.plan(autoRequest);
    other.explanation = ['replaced'];
    expect(other.explanation).toEqual(['replaced']);
    expect(JSON.parse(JSON.stringify(other)).explanation).toEqual(['replaced']);
  });
});
