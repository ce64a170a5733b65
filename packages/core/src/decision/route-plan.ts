import type { Exclusion, Locality } from '@switchyard/contract';

/** One target in a plan, in the order the router will try them. */
export interface PlannedTarget {
  target: string;
  locality: Locality;
  /** `auto` mode only: 0..1, higher is better (latency, cost and quality combined by the policy's weights). */
  score?: number;
}

/** What `router.plan()` decides, without running anything. */
export interface RoutePlan {
  /** Ordered: primary first, then fallbacks. Finite: every target appears at most once. */
  plan: PlannedTarget[];
  /** Every target left out, with a reason code from the fixed `ExclusionReason` set and a human-readable detail. */
  excluded: Exclusion[];
  /** Human-readable lines: signals read, privacy, the rule that matched, scores, difficulty, the final order. */
  explanation: string[];
  /** `private`: the request may only run on local targets; `detected`: personal-data kinds found in the prompt. */
  privacy: { private: boolean; detected: string[] };
  /** The difficulty score (0..1, probability the small model fails) when a scorer is configured and was consulted. */
  difficulty?: number;
  /** Prompt tokens per target: the target's own tokenizer when it has one, else the documented estimate. */
  promptTokens: Record<string, number>;
}
