import type * as z from 'zod/mini';
import type { policySchema } from './policy-schema.js';

/** A routing policy as written by hand or loaded from JSON: every field optional. */
export type PolicyInput = z.input<typeof policySchema>;
/** A routing policy with every default applied (what `router.policy` returns). */
export type Policy = z.output<typeof policySchema>;
/** One ordered policy rule: a `when` condition and the `use` / `prefer` / `avoid` action. */
export type PolicyRule = Policy['rules'][number];
/** The routing modes: `local-only`, `prefer-local` (default), `prefer-remote`, `remote-only`, `auto`. */
export type RoutingMode = Policy['mode'];
/** `execution.midStream`: what `stream()` does when a target fails after text was delivered. */
export type MidStreamMode = Policy['execution']['midStream'];
