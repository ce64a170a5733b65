/** Header names whose values are secrets: credentials, API keys, tokens, cookies, signatures. */
const secretHeaderName = /auth|key|token|secret|cookie|signature/i;

/**
 * The secret values in a set of request headers, for `redactSecrets`: the whole value of each secret-looking header,
 * and for `Bearer <token>`-style values the bare token too (servers echo it without the scheme). `apiKey`, when given,
 * is included.
 */
export function secretHeaderValues(headers: Record<string, string> | undefined, apiKey?: string): string[] {
  const values = Object.entries(headers ?? {})
    .filter(([name]) => secretHeaderName.test(name))
    // Token first: redacting the whole value first would leave nothing for the token to match.
    .flatMap(([, value]) => [/^\w+\s+(\S+)$/.exec(value)?.[1] ?? '', value]);
  return [apiKey ?? '', ...values].filter((secret) => secret.length > 0);
}
