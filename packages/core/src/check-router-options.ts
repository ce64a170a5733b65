import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';

// Option → what it must be: objects by the methods they need, the rest by typeof. (Kept terse: this ships in pages.)
const shapes: [string, string, string][] = [
  ['signals', 'read', 'a signal source, e.g. createManualSignals()'],
  ['store', 'subscribe', 'a StateStore, e.g. createMemoryStateStore()'],
  ['clock', '', 'a function returning epoch ms'],
  ['random', '', 'a function returning 0..1'],
  ['difficulty', '', 'a function from prompt text to 0..1'],
];

const known = ['targets', 'policy', 'telemetry', 'includePromptsInEvents', ...shapes.map(([key]) => key)];

/**
 * Checks the shape of `createRouter`'s options before anything reads them, so a mistake (no options, a list of
 * targets, `undefined` where a target was meant, a number where a function was meant) is an `InvalidConfigError`
 * naming the option rather than a TypeError from deep inside the router or from its first request. Values are never
 * echoed: a target may hold secrets.
 */
export function checkRouterOptions(options: unknown): void {
  const problems: InputProblem[] = [];
  const expect = (path: string, what: string) => problems.push({ path, message: `expected ${what}` });
  const record = options as Record<string, unknown> | null;
  const targets = record?.targets;
  if (typeof record !== 'object' || typeof targets !== 'object' || !targets || Array.isArray(targets)) {
    expect(typeof record === 'object' && record ? 'targets' : 'options', '{ targets: { <name>: <target> } }');
  } else {
    for (const [name, target] of Object.entries(targets)) {
      const t = target as Record<string, unknown> | null;
      if (
        typeof t?.generate !== 'function' ||
        typeof t.stream !== 'function' ||
        typeof t.status !== 'function' ||
        (t.locality !== 'local' && t.locality !== 'remote') ||
        typeof t.capabilities !== 'object'
      ) {
        expect(`targets.${name}`, 'a target from an adapter factory (status(), generate(), stream(), locality)');
      }
    }
  }
  for (const [key, method, what] of shapes) {
    const value = record?.[key] as Record<string, unknown> | undefined;
    if (value !== undefined && typeof (method ? value?.[method] : value) !== 'function') expect(key, what);
  }
  // A misspelt option (`polcy`) would otherwise leave the default in force without a word.
  for (const key of typeof record === 'object' && record ? Object.keys(record) : []) {
    if (!known.includes(key)) expect(key, `one of the router's options: ${known.join(', ')}`);
  }
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}
