// Character-code tests the recognizers run per token, on `charCodeAt` values (NaN, past either end of the text, is
// none of these): cheaper than a regex on a one-character slice.

/** A to Z. */
export function isAsciiUpperCode(code: number): boolean {
  return code >= 65 && code <= 90;
}

/** A to Z and a to z. */
export function isAsciiLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** 0 to 9, A to Z and a to z. */
export function isAsciiAlphanumericCode(code: number): boolean {
  return (code >= 48 && code <= 57) || isAsciiLetterCode(code);
}
