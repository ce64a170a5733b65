import { z } from 'zod';

/**
 * A secret: read from an environment variable (`{ "env": "GPU_API_KEY" }`, preferred) or written inline. Either
 * way it is never printed: not in logs, errors, `/health` or `plan` output.
 */
export const secretSchema = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }),
    z.string().min(1, 'expected a non-empty string or { "env": "NAME" }'),
  ],
  // Without it a value of neither shape (a number, a list) read "Invalid input"; the value itself is never echoed.
  { error: 'expected { "env": "NAME" } (the environment variable holding the secret) or the secret as a string' },
);

export type SecretConfig = z.infer<typeof secretSchema>;
