import { visit } from 'jsonc-parser';

/** A key written twice in one JSON object: its path (`targets.gpu`) and the lines of both. */
export interface DuplicateJsonKey {
  path: string;
  firstLine: number;
  line: number;
}

/**
 * The keys written twice in one object of a JSON text. `JSON.parse` keeps the last silently, so a second target with
 * the same name replaces the first without a word; this finds them (with jsonc-parser's visitor) so they can be named.
 *
 * @example
 * ```ts
 * duplicateJsonKeys('{ "targets": { "gpu": {}, "gpu": {} } }'); // → [{ path: 'targets.gpu', firstLine: 1, line: 1 }]
 * ```
 */
export function duplicateJsonKeys(text: string): DuplicateJsonKey[] {
  const duplicates: DuplicateJsonKey[] = [];
  const objects: Array<Map<string, number>> = [];
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Map());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (property, _offset, _length, startLine, _startCharacter, pathSupplier) => {
      const seen = objects.at(-1);
      if (seen === undefined) return;
      const firstLine = seen.get(property);
      if (firstLine === undefined) {
        seen.set(property, startLine + 1);
        return;
      }
      const path = [...pathSupplier(), property]
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
        .join('');
      duplicates.push({ path, firstLine, line: startLine + 1 });
    },
  });
  return duplicates;
}
