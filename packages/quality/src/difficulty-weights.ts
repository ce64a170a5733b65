import { z } from 'zod';

/** One logistic head: `sigmoid(bias + scale · Σ int8(weights)[i] · x[i])`. */
export interface DifficultyHead {
  bias: number;
  /** Multiplies the int8 weights back to their trained values. */
  scale: number;
  /** Base64 of one signed byte per feature. */
  weights: string;
}

/**
 * The shipped model, as stored in `weights.json`. `score` says how heads combine:
 * - `gain`: heads `help` (P(weak wrong and strong right)) and `hurt` (P(weak right and strong wrong)); the score is
 *   (1 + help − hurt) / 2, the expected accuracy gain from going strong, mapped onto [0, 1].
 * - `probability`: one head `positive`; the score is its probability.
 */
export interface DifficultyWeights {
  format: 'switchyard-difficulty/1';
  features: { hashBits: number; wordBigrams: boolean; charNgram: number };
  score: 'gain' | 'probability';
  heads: Record<string, DifficultyHead>;
  /** How the weights were made (data, seed, settings, cross-validated figures); informational. */
  training?: Record<string, unknown>;
}

const headSchema = z.object({ bias: z.number(), scale: z.number().positive(), weights: z.string() });

/** Validates a weights file; `createDifficultyScorer` runs it on whatever it is given. */
export const difficultyWeightsSchema = z
  .object({
    format: z.literal('switchyard-difficulty/1'),
    features: z.object({
      hashBits: z.number().int().min(8).max(24),
      wordBigrams: z.boolean(),
      charNgram: z.number().int().min(0).max(8),
    }),
    score: z.enum(['gain', 'probability']),
    heads: z.record(z.string(), headSchema),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((weights, context) => {
    const needed = weights.score === 'gain' ? ['help', 'hurt'] : ['positive'];
    for (const name of needed) {
      if (!weights.heads[name]) {
        context.addIssue({
          code: 'custom',
          path: ['heads', name],
          message: `is required when score is "${weights.score}"`,
        });
      }
    }
  });

/** Decodes a head's base64 int8 weights into floats (browser-safe: uses `atob`, not `Buffer`). */
export function decodeHead(head: DifficultyHead): Float32Array {
  const binary = atob(head.weights);
  const weights = new Float32Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    const byte = binary.charCodeAt(i);
    weights[i] = (byte > 127 ? byte - 256 : byte) * head.scale;
  }
  return weights;
}

/** Encodes trained float weights as int8 + scale (the format `decodeHead` reads). */
export function encodeHead(weights: Float32Array, bias: number): DifficultyHead {
  let largest = 0;
  for (const weight of weights) largest = Math.max(largest, Math.abs(weight));
  const scale = largest > 0 ? largest / 127 : 1;
  let binary = '';
  const chunk: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    const quantized = Math.max(-127, Math.min(127, Math.round(weights[i]! / scale)));
    chunk.push(quantized < 0 ? quantized + 256 : quantized);
    if (chunk.length === 8192 || i === weights.length - 1) {
      binary += String.fromCharCode(...chunk);
      chunk.length = 0;
    }
  }
  return { bias, scale, weights: btoa(binary) };
}
