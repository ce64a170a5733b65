import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { parseTargetCall } from '../parse-request.js';
import type { TargetCall } from '../request.js';
import type { GenerateResult } from '../result.js';
import type { StreamPart } from '../stream-part.js';
import type { Target, TargetStatus } from '../target.js';
import { runTargetConformance } from './run-target-conformance.js';
import { targetConformanceChecks } from './target-conformance-checks.js';

/** Ways a target can break the contract; each one should be caught by the named checks and by no other. */
interface Flaws {
  twoFinishes?: boolean;
  ignoresMaxTokens?: boolean;
  ignoresAbort?: boolean;
  skipsValidation?: boolean;
  undocumentedStatus?: boolean;
  streamDropsFirstWord?: boolean;
  /** Reports 0 for counts it was not given (the bug of reading a missing count as 0). */
  reportsZeroUsage?: boolean;
  /** Reports no usage at all: allowed (the router estimates it). */
  omitsUsage?: boolean;
  /** Declares continuation but starts the answer over. */
  continuationRestarts?: boolean;
  /** Sends the prefix again before the new text (a server that echoes the prefix, not stripped). */
  continuationEchoesPrefix?: boolean;
  /** Loses the first character of the continuation (an off-by-one in stripping an echoed prefix). */
  continuationDropsFirstChar?: boolean;
  /** Does not declare continuation at all. */
  noContinuation?: boolean;
}

const words = ['The', ' yard', ' switches', ' trains', ' all', ' night', ' long', '.'];

/** A small in-memory target that follows the contract unless told to break it. */
function createReferenceTarget(flaws: Flaws = {}): Target {
  async function* produce(input: TargetCall, streaming: boolean): AsyncGenerator<StreamPart> {
    const call = flaws.skipsValidation ? input : parseTargetCall(input, 'reference');
    // Continue after the words the prefix already holds (the prefix is always whole words of the answer here).
    let start = 0;
    if (call.assistantPrefix && !flaws.continuationRestarts) {
      while (start < words.length && words.slice(0, start + 1).join('').length <= call.assistantPrefix.length) start++;
    }
    if (call.assistantPrefix && flaws.continuationEchoesPrefix)
      yield { type: 'text-delta', text: call.assistantPrefix };
    const budget = flaws.ignoresMaxTokens ? words.length : (call.maxTokens ?? words.length);
    const limit = Math.min(start + budget, words.length);
    const signal = flaws.ignoresAbort ? undefined : call.signal;
    for (let index = start; index < limit; index++) {
      // A real runtime yields to the event loop between tokens; that is when an abort gets through.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new AbortError({ target: 'reference' });
      if (streaming && flaws.streamDropsFirstWord && index === 0) continue;
      const word = words[index] ?? '';
      yield { type: 'text-delta', text: index === start && flaws.continuationDropsFirstChar ? word.slice(1) : word };
    }
    const outputTokens = flaws.reportsZeroUsage ? 0 : limit - start;
    if (!flaws.omitsUsage)
      yield { type: 'usage', usage: { inputTokens: flaws.reportsZeroUsage ? 0 : 5, outputTokens } };
    const finishReason = limit < words.length ? 'length' : 'stop';
    yield { type: 'finish', finishReason };
    if (flaws.twoFinishes) yield { type: 'finish', finishReason };
  }

  return {
    specificationVersion: 'v1',
    id: 'reference:in-memory',
    locality: 'local',
    capabilities: {
      contextWindow: 512,
      maxOutputTokens: 64,
      tools: false,
      jsonSchema: false,
      images: false,
      continuation: !flaws.noContinuation,
    },
    status: () => (flaws.undocumentedStatus ? ({ state: 'ok' } as unknown as TargetStatus) : { state: 'ready' }),
    async generate(call) {
      if (!flaws.ignoresAbort && call.signal?.aborted) throw new AbortError({ target: 'reference' });
      const result: GenerateResult = { text: '', toolCalls: [], finishReason: 'error' };
      for await (const part of produce(call, false)) {
        if (part.type === 'text-delta') result.text += part.text;
        else if (part.type === 'usage') result.usage = part.usage;
        else if (part.type === 'finish') result.finishReason = part.finishReason;
      }
      return result;
    },
    stream: (call) => produce(call, true),
  };
}

class Skipped extends Error {}

/** The names of the checks a target fails (a skipped check is not a failure). */
async function failedChecks(target: Target): Promise<string[]> {
  const call = (extra: Partial<TargetCall> = {}): TargetCall => ({
    messages: [{ role: 'user', content: 'Tell me about the yard.' }],
    maxTokens: 24,
    temperature: 0,
    ...extra,
  });
  const failed: string[] = [];
  for (const check of targetConformanceChecks) {
    try {
      await check.run({
        target,
        call,
        deterministic: true,
        abortWithinMs: 10_000,
        skip: (note) => {
          throw new Skipped(note);
        },
      });
    } catch (error) {
      if (error instanceof Skipped) continue;
      failed.push(check.name);
    }
  }
  return failed;
}

runTargetConformance({ name: 'reference in-memory target', createTarget: () => createReferenceTarget() });

describe('runTargetConformance', () => {
  it('passes a target that follows the contract', async () => {
    expect(await failedChecks(createReferenceTarget())).toEqual([]);
  });

  it.each<[string, Flaws, string[]]>([
    [
      'emits two finish parts',
      { twoFinishes: true },
      ['streams deltas that concatenate', 'continues after an assistant prefix'],
    ],
    ['ignores maxTokens', { ignoresMaxTokens: true }, ['respects maxTokens']],
    [
      'ignores the abort signal',
      { ignoresAbort: true },
      ['ends an aborted stream promptly', 'rejects a call whose signal is already aborted'],
    ],
    ['accepts invalid calls', { skipsValidation: true }, ['rejects invalid calls']],
    ['reports an undocumented status', { undocumentedStatus: true }, ['reports status() in the documented shape']],
    [
      'streams other text than it generates',
      { streamDropsFirstWord: true },
      ['streams deltas that concatenate', 'continues after an assistant prefix'],
    ],
    ['reports 0 tokens it did not count', { reportsZeroUsage: true }, ['generates text with a finish reason']],
    ['reports no usage (allowed: the router estimates it)', { omitsUsage: true }, []],
    ['starts over after an assistant prefix', { continuationRestarts: true }, ['continues after an assistant prefix']],
    ['echoes the assistant prefix', { continuationEchoesPrefix: true }, ['continues after an assistant prefix']],
    ['drops a character at the seam', { continuationDropsFirstChar: true }, ['continues after an assistant prefix']],
    ['does not declare continuation (the check is skipped)', { noContinuation: true }, []],
  ])('fails a target that %s, in the matching checks only', async (_flaw, flaws, expected) => {
    const failed = await failedChecks(createReferenceTarget(flaws));
    expect(failed).toHaveLength(expected.length);
    expected.forEach((prefix, index) => {
      expect(failed[index]).toMatch(new RegExp(`^${prefix.replace(/[()]/g, '\\$&')}`));
    });
  });
});
