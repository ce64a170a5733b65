import type { DemoRuntime } from './create-demo-runtime.js';
import { realTargetsHelp } from './real-targets-help.js';

/**
 * The console's description of the targets: what each one is and where it lives, and, when any is a stand-in,
 * a plain statement that it is one and how to use real ones.
 */
export function describeSetup(runtime: Pick<DemoRuntime, 'targets' | 'usesStandIns'>): string[] {
  const lines = runtime.targets.map(
    (target) => `  ${target.locality.padEnd(6)} "${target.name}": ${target.description}\n           ${target.location}`,
  );
  if (runtime.usesStandIns) {
    lines.push(
      '',
      '  These are stand-ins so the demo runs anywhere without downloads; answers are gibberish by design.',
      '  To use real ones:',
      ...realTargetsHelp.map((line) => `    ${line}`),
    );
  }
  return lines;
}
