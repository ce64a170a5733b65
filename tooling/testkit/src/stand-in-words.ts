/**
 * The word generator the protocol-faithful stand-ins (Ollama, Triton) answer with: no model, just words picked by a
 * hash of the prompt, so the same prompt and seed always give the same text, token by token.
 */
const words = [
  'signal',
  'yard',
  'train',
  'track',
  'switch',
  'engine',
  'freight',
  'lantern',
  'night',
  'rail',
  'steam',
  'coupler',
  'ballast',
  'platform',
  'whistle',
  'caboose',
  'junction',
  'siding',
  'timber',
  'copper',
  'morning',
  'quiet',
  'slow',
  'bright',
  'north',
  'river',
  'bridge',
  'lamp',
  'gate',
  'clock',
  'shunt',
  'depot',
];

/** FNV-1a (32-bit) of a string: a stable number for a prompt, a model name or anything else a stand-in keys on. */
export function fnv1a(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/**
 * Word `index` of the answer seeded by `seed`: capitalised with no leading space at index 0, `" word"` after, so
 * the words of an answer join into its text.
 *
 * @example
 * ```ts
 * const seed = fnv1a(prompt);
 * const text = [0, 1, 2].map((index) => standInWord(seed, index)).join(''); // "Yard lamp signal"
 * ```
 */
export function standInWord(seed: number, index: number): string {
  const word = words[fnv1a(`${seed}:${index}`) % words.length] ?? 'rail';
  return index === 0 ? word[0]?.toUpperCase() + word.slice(1) : ` ${word}`;
}
