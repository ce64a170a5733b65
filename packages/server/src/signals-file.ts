import { nearestKey, settingsProblems } from '@switchyard/adapter-utils';
import { InvalidConfigError } from '@switchyard/contract';
import type { SignalOverrides } from '@switchyard/core';
import { z } from 'zod';

const fraction = z.number().min(0).max(1);

/** The `--signals` file of `switchyard plan`: what the router should believe about the device and the targets. */
export const signalsFileSchema = z.strictObject({
  device: z
    .strictObject({
      battery: z.strictObject({ level: fraction.optional(), charging: z.boolean().optional() }).optional(),
      thermal: z.enum(['nominal', 'fair', 'serious', 'critical']).optional(),
      memory: z
        .strictObject({
          freeBytes: z.number().nonnegative().optional(),
          totalBytes: z.number().nonnegative().optional(),
        })
        .optional(),
      cpu: z.strictObject({ load: fraction.optional() }).optional(),
      network: z.strictObject({ online: z.boolean().optional(), metered: z.boolean().optional() }).optional(),
    })
    .optional(),
  targets: z
    .record(
      z.string(),
      z.strictObject({
        status: z.enum(['ready', 'loading', 'downloading', 'unavailable']).optional(),
        circuit: z.enum(['closed', 'half-open', 'open']).optional(),
        queueDepth: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  /** An ISO date-time, for policies with `hour` rules. */
  now: z.iso.datetime({ offset: true, local: true }).optional(),
});

/**
 * Validates a signals file against the targets the config names. Throws `InvalidConfigError` whose paths start at
 * `signals` (`signals.device.thermal: expected one of …`).
 */
export function parseSignalsFile(input: unknown, targetNames: readonly string[]): SignalOverrides {
  const result = signalsFileSchema.safeParse(input);
  if (!result.success) {
    // Unknown keys are named with the key they most likely meant (`devise` → `device`).
    const problems = settingsProblems(signalsFileSchema, input, result.error.issues);
    throw new InvalidConfigError({
      problems: problems.map((problem) => ({
        ...problem,
        path: problem.path ? `signals.${problem.path}` : 'signals',
      })),
    });
  }
  const unknown = Object.keys(result.data.targets ?? {}).filter((name) => !targetNames.includes(name));
  if (unknown.length > 0) {
    const expected = targetNames.map((name) => `"${name}"`).join(', ');
    throw new InvalidConfigError({
      problems: unknown.map((name) => {
        const meant = nearestKey(name, targetNames);
        return {
          path: `signals.targets.${name}`,
          message:
            meant === undefined
              ? `unknown target; expected one of ${expected}`
              : `unknown target; did you mean "${meant}"?`,
        };
      }),
    });
  }
  const { now, ...rest } = result.data;
  return { ...rest, ...(now === undefined ? {} : { now: new Date(now) }) } as SignalOverrides;
}
