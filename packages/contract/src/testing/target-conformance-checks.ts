import { expect } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { TargetCall } from '../request.js';
import { finishReasons, type Usage } from '../result.js';
import type { StreamPart } from '../stream-part.js';
import type { Target } from '../target.js';
import { targetStatusSchema } from '../target-status-schema.js';

/** What one conformance check needs: the target under test and the suite's settings. */
export interface ConformanceContext {
  target: Target;
  /** A valid call on the suite's prompt, greedy and bounded, with `extra` laid over it. */
  call(extra?: Partial<TargetCall>): TargetCall;
  deterministic: boolean;
  abortWithinMs: number;
  /** Marks the check as not applicable to this target (vitest shows it as skipped, with the note). */
  skip(note: string): void;
}

/** One behaviour of the `Target` contract; `run` throws (a vitest assertion) when the target breaks it. */
export interface ConformanceCheck {
  name: string;
  run(context: ConformanceContext): Promise<void>;
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function deltaTexts(parts: readonly StreamPart[]): string[] {
  const texts: string[] = [];
  for (const part of parts) if (part.type === 'text-delta' && part.text !== '') texts.push(part.text);
  return texts;
}

/**
 * A usage the target reported for an answer with text: whole counts, and more than zero of each (a prompt and an answer
 * take tokens), so a count the target was not given never passes as 0.
 */
function expectCountedUsage(usage: Usage): void {
  expect(Number.isInteger(usage.inputTokens), `inputTokens ${usage.inputTokens}`).toBe(true);
  expect(Number.isInteger(usage.outputTokens), `outputTokens ${usage.outputTokens}`).toBe(true);
  expect(usage.inputTokens, 'usage.inputTokens (leave usage out when the server did not count it)').toBeGreaterThan(0);
  expect(usage.outputTokens, 'usage.outputTokens (leave usage out when the server did not count it)').toBeGreaterThan(
    0,
  );
}

/** How many cut points of the reference answer the continuation check tries. */
const continuationCuts = 6;

/**
 * Mid-stream failover hands the next target what the user has already seen as `assistantPrefix`; the target must
 * answer with the new text only. Checked against the target's own greedy answer, cut after its first chunks:
 * - never repeated: the continuation does not start over with the prefix (unless the answer itself repeats it);
 * - nothing lost or doubled at the seam: for at least one cut, prefix + continuation reads exactly as the answer.
 *   "At least one" because a runtime re-tokenises the prefix text, and a model may have sampled a segmentation its
 *   tokenizer would not produce (common on tiny random-weight models); a target that restarts, echoes the prefix,
 *   ignores it or drops a character at the seam fails every cut.
 */
async function checkContinuation({ target, call, deterministic, skip }: ConformanceContext): Promise<void> {
  // Adapters that detect continuation support (e.g. an OpenAI-compatible server's version) do it with the status check.
  if (target.checkStatus) await target.checkStatus();
  if (target.capabilities.continuation !== true) {
    skip('the target does not declare capabilities.continuation');
    return;
  }
  const pieces = deltaTexts(await collect(target.stream(call())));
  const answer = pieces.join('');
  expect(pieces.length, 'the continuation check needs an answer of at least two chunks').toBeGreaterThanOrEqual(2);
  const seams: string[] = [];
  let exactCuts = 0;
  for (let cut = 1; cut <= Math.min(pieces.length - 1, continuationCuts); cut++) {
    const prefix = pieces.slice(0, cut).join('');
    const parts = await collect(target.stream(call({ assistantPrefix: prefix })));
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    const continuation = deltaTexts(parts).join('');
    const restartsAnswer = continuation.startsWith(prefix) && !answer.slice(prefix.length).startsWith(prefix);
    expect(restartsAnswer, `repeated the prefix ${JSON.stringify(prefix)}: ${JSON.stringify(continuation)}`).toBe(
      false,
    );
    if (!deterministic) continue;
    const joined = prefix + continuation;
    const exact = continuation.length > 0 && (joined.startsWith(answer) || answer.startsWith(joined));
    if (exact) exactCuts += 1;
    seams.push(`${JSON.stringify(prefix)} + ${JSON.stringify(continuation)}`);
  }
  if (deterministic) {
    const message = `no cut continued exactly; answer ${JSON.stringify(answer)}; got ${seams.join(' | ')}`;
    expect(exactCuts, message).toBeGreaterThan(0);
  }
}

/**
 * The checks `runTargetConformance` registers, one test each. Kept as plain functions (not only as `it` blocks) so
 * the suite's own tests can run them against deliberately broken targets and prove each one can fail.
 */
export const targetConformanceChecks: readonly ConformanceCheck[] = [
  {
    name: 'declares specification v1, an id, a locality and capabilities',
    async run({ target }) {
      expect(target.specificationVersion).toBe('v1');
      expect(target.id).toMatch(/\S/);
      expect(['local', 'remote']).toContain(target.locality);
      expect(target.capabilities.contextWindow).toBeGreaterThan(0);
      expect(target.capabilities.maxOutputTokens).toBeGreaterThan(0);
      expect(typeof target.capabilities.tools).toBe('boolean');
      expect(typeof target.capabilities.jsonSchema).toBe('boolean');
      expect(typeof target.capabilities.images).toBe('boolean');
    },
  },
  {
    name: 'reports status() in the documented shape',
    async run({ target }) {
      expect(targetStatusSchema.safeParse(target.status()).success).toBe(true);
      if (target.checkStatus) {
        const checked = await target.checkStatus();
        expect(targetStatusSchema.safeParse(checked).success).toBe(true);
        expect(checked.state).toBe('ready');
      }
    },
  },
  {
    name: 'generates text with a finish reason, and usage only as counted',
    async run({ target, call }) {
      const result = await target.generate(call());
      expect(typeof result.text).toBe('string');
      expect(result.text.length).toBeGreaterThan(0);
      expect(finishReasons).toContain(result.finishReason);
      expect(result.toolCalls).toEqual([]);
      // Usage may be absent (the router estimates it); when reported, it is what was counted for this answer.
      if (result.usage !== undefined) expectCountedUsage(result.usage);
      const parts = await collect(target.stream(call()));
      for (const part of parts) if (part.type === 'usage') expectCountedUsage(part.usage);
    },
  },
  {
    name: 'respects maxTokens',
    async run({ target, call }) {
      const result = await target.generate(call({ maxTokens: 3 }));
      if (result.usage !== undefined) expect(result.usage.outputTokens).toBeLessThanOrEqual(3);
      expect(['length', 'stop']).toContain(result.finishReason);
    },
  },
  {
    name: 'streams deltas that concatenate to the full text and end with exactly one finish',
    async run({ target, call, deterministic }) {
      const parts = await collect(target.stream(call()));
      const finishes = parts.filter((part) => part.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(parts.at(-1)?.type).toBe('finish');
      expect(parts.filter((part) => part.type === 'usage').length).toBeLessThanOrEqual(1);
      const text = parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
      expect(text.length).toBeGreaterThan(0);
      if (deterministic) {
        const generated = await target.generate(call());
        expect(text).toBe(generated.text);
      }
    },
  },
  {
    name: 'ends an aborted stream promptly with an AbortError and stays usable',
    async run({ target, call, abortWithinMs }) {
      const controller = new AbortController();
      const started = Date.now();
      let caught: unknown;
      let deltasAfterAbort = 0;
      try {
        for await (const part of target.stream(call({ maxTokens: 200, signal: controller.signal }))) {
          if (part.type !== 'text-delta') continue;
          if (controller.signal.aborted) deltasAfterAbort += 1;
          else controller.abort();
        }
      } catch (error) {
        caught = error;
      }
      const elapsed = Date.now() - started;
      expect(AbortError.isInstance(caught)).toBe(true);
      // Promptly: at most a couple of tokens already in flight, and no waiting for the 200-token answer.
      expect(deltasAfterAbort).toBeLessThanOrEqual(2);
      // A hang guard, not a speed test: the default is 10 s.
      expect(elapsed).toBeLessThan(abortWithinMs);
      const again = await target.generate(call({ maxTokens: 4 }));
      expect(again.text.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'rejects a call whose signal is already aborted with an AbortError',
    async run({ target, call }) {
      const controller = new AbortController();
      controller.abort();
      await expect(target.generate(call({ signal: controller.signal }))).rejects.toSatisfy(AbortError.isInstance);
    },
  },
  {
    name: 'continues after an assistant prefix: nothing repeated, nothing lost at the seam',
    run: checkContinuation,
  },
  {
    name: 'rejects invalid calls with an InvalidRequestError naming the field',
    async run({ target }) {
      const bad = { messages: [{ role: 'robot', content: 'hi' }], maxTokens: 4 } as unknown as TargetCall;
      const error = await target.generate(bad).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect(SwitchyardError.isInstance(error) && error.message).toContain('messages[0].role');
      const emptyError = await collect(target.stream({ messages: [] } as unknown as TargetCall)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(InvalidRequestError.isInstance(emptyError)).toBe(true);
    },
  },
];
