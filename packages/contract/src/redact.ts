const secretParam = /key|token|secret|sig|password|auth|credential/i;

/**
 * A URL safe to show: user-info removed and query values whose names look secret replaced by `[redacted]`.
 * Unparseable input is returned with anything after `?` cut off.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.split('?')[0] ?? '';
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (secretParam.test(name)) parsed.searchParams.set(name, '[redacted]');
  }
  return parsed.toString();
}

/** Replaces every occurrence of each secret (of 4 characters or more) in `text` with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
