import { visit } from 'jsonc-parser';

/** Where the first comment of a JSON text starts, as V8 words a position (`line 2 column 5`). */
function firstCommentAt(text: string): string | undefined {
  let at: string | undefined;
  visit(text, {
    onComment: (_offset, _length, startLine, startCharacter) => {
      at ??= `line ${startLine + 1} column ${startCharacter + 1}`;
    },
  });
  return at;
}

/**
 * Why JSON.parse refused `text`, with what usually causes it: JSON has no comments (`commentsFix` says what to do
 * instead) and no trailing commas, and an empty text is said to be empty. V8 quotes the text around an unexpected token;
 * that quote is dropped, since a config may hold an inline secret and a request private words.
 *
 * @example
 * ```ts
 * jsonParseProblem('{ "a": 1, }', error); // → '… (line 1 column 11): JSON allows no comma after the last entry; remove it'
 * ```
 */
export function jsonParseProblem(text: string, error: Error, commentsFix = 'remove them'): string {
  if (text.trim() === '') return 'it is empty';
  let reason = error.message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '');
  // V8 says where only when it quotes no text: for a comment it quoted the text, so the place is found here.
  if (/^Unexpected token '\/'$/.test(reason)) {
    const at = firstCommentAt(text);
    if (at !== undefined) reason += ` (${at})`;
  }
  const position = Number(/at position (\d+)/.exec(reason)?.[1] ?? Number.NaN);
  const token = /^Unexpected token '(.)'/.exec(reason)?.[1] ?? text[position];
  const before = text.slice(0, position).trimEnd().at(-1);
  const hint =
    token === '/'
      ? `: JSON allows no comments; ${commentsFix}`
      : (token === '}' || token === ']') && before === ','
        ? ': JSON allows no comma after the last entry; remove it'
        : '';
  return `${reason}${hint}`;
}
