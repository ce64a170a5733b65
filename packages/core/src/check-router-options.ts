import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';

const example = 'e.g. createRouter({ targets: { device: localTarget, gpu: remoteTarget } })';

/**
 * Checks the shape of `createRouter`'s options before anything reads them, so a mistake (no options, a list of
 * targets, `undefined` where a target was meant, a number where a function was meant) is an `InvalidConfigError`
 * naming the option rather than a TypeError from deep inside the router, or later from the first request.
 * Values are never echoed: a target may hold secrets.
 */
export function checkRouterOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidConfigError({
      problems: [{ path: 'options', message: `expected an options object, ${example}` }],
    });
  }
  const { targets, signals, store, clock, random, difficulty } = options as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) {
    const got = Array.isArray(targets) ? 'a list' : describe(targets);
    problems.push({ path: 'targets', message: `expected an object of named targets, got ${got}; ${example}` });
  } else {
    for (const [name, target] of Object.entries(targets)) {
      const problem = targetProblem(target);
      if (problem !== undefined) problems.push({ path: `targets.${name}`, message: problem });
    }
  }
  if (signals !== undefined && !hasMethods(signals, ['read'])) {
    problems.push({
      path: 'signals',
      message: 'expected a signal source with read(), e.g. createNodeSignals() or createManualSignals()',
    });
  }
  if (store !== undefined && !hasMethods(store, storeMethods)) {
    problems.push({
      path: 'store',
      message: 'expected a StateStore, e.g. createMemoryStateStore() or createRedisStateStore({ … })',
    });
  }
  for (const [path, value, what] of [
    ['clock', clock, 'returning epoch milliseconds, e.g. () => Date.now()'],
    ['random', random, 'returning a number in 0..1, e.g. Math.random'],
    ['difficulty', difficulty, 'from prompt text to 0..1'],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      problems.push({ path, message: `expected a function ${what}, got ${describe(value)}` });
    }
  }
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}

const storeMethods = ['reserveBudget', 'settleBudget', 'releaseBudget', 'readBudget', 'subscribe'];
const targetMethods = ['status', 'generate', 'stream'];

function targetProblem(target: unknown): string | undefined {
  const fix = 'expected a target from an adapter factory, e.g. createOpenAITarget({ baseURL, model })';
  if (typeof target !== 'object' || target === null) return `${fix}, got ${describe(target)}`;
  const missing = targetMethods.filter((method) => typeof (target as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) return `${fix}; it has no ${missing.map((method) => `${method}()`).join(', ')}`;
  const { locality, capabilities } = target as Record<string, unknown>;
  if (locality !== 'local' && locality !== 'remote') return `${fix}; its locality must be "local" or "remote"`;
  if (typeof capabilities !== 'object' || capabilities === null) return `${fix}; it has no capabilities object`;
  return undefined;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
  );
}

// The kind of a value, never the value itself.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
