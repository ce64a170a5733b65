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
  const reason = error.message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '');
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
