import type { PiiRecognizer } from '../recognizer.js';

/** Token formats with a distinctive prefix, each a named recognizer; one pass finds them all. */
const tokenFormats: readonly (readonly [name: string, pattern: string])[] = [
  ['private-key', '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----'],
  ['anthropic-api-key', '\\bsk-ant-[a-z]+\\d{2}-[A-Za-z0-9_-]{20,}'],
  ['openai-api-key', '\\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)?[A-Za-z0-9_-]{20,}'],
  ['stripe-secret-key', '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}'],
  ['aws-access-key', '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b'],
  ['github-token', '\\bgh[pousr]_[A-Za-z0-9]{30,}|\\bgithub_pat_[A-Za-z0-9_]{30,}'],
  ['gitlab-token', '\\bglpat-[A-Za-z0-9_-]{20,}'],
  ['slack-token', '\\bxox[abposr]-[A-Za-z0-9-]{10,}|\\bxapp-\\d-[A-Za-z0-9-]{10,}'],
  ['slack-webhook', 'hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]{16,}'],
  ['google-api-key', '\\bAIza[0-9A-Za-z_-]{35}'],
  ['google-oauth-token', '\\bya29\\.[0-9A-Za-z_-]{20,}|\\bGOCSPX-[A-Za-z0-9_-]{20,}'],
  ['azure-storage-key', 'AccountKey=[A-Za-z0-9+/]{40,}={0,2}'],
  ['azure-sas-token', '[?&]sig=[A-Za-z0-9%+/]{30,}'],
  ['azure-client-secret', '\\b[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}'],
  ['npm-token', '\\bnpm_[A-Za-z0-9]{36}\\b'],
  ['huggingface-token', '\\bhf_[A-Za-z0-9]{30,}'],
  ['sendgrid-api-key', '\\bSG\\.[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}'],
  ['jwt', '\\beyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}'],
];
const tokenPattern = new RegExp(tokenFormats.map(([, pattern]) => `(${pattern})`).join('|'), 'g');

// The pre-filter. Every format above holds one of these pieces: "_" (Stripe, GitHub, npm, Hugging Face), "~" (Azure
// client secrets), "=" (Azure keys and signatures); a "-" right after "k" (sk-, pk-, rk-, sk-ant-) or after "xox?",
// "xapp", "glpat", "GOCSPX", or starting "-----BEGIN"; "AKIA", "ASIA", "AIza" (after a capital A), "eyJ" (JWTs,
// before a capital J), "hooks.slack.com" (before a "/"), "ya29." or "SG.". Each is found from its rarest character
// with indexOf and checked around it: V8 runs a plain string search fast, but a regex of many literals or of a large
// class byte by byte (measured on 4 KB of prose: 0.2–0.5 µs against 2–7 µs).
// "_" only after sk, rk (Stripe), gh? (GitHub), github, npm or hf; "~" only after Q (Azure client secrets); "=" only
// after AccountKey or sig (Azure): JSON and code are full of these characters, and checking the letters before each
// keeps the full token regex from running on every snake_case name or assignment.
function isUnderscoreMarkerAt(text: string, index: number): boolean {
  return (
    text.startsWith('sk', index - 2) ||
    text.startsWith('rk', index - 2) ||
    text.startsWith('gh', index - 3) ||
    text.startsWith('github', index - 6) ||
    text.startsWith('npm', index - 3) ||
    text.startsWith('hf', index - 2)
  );
}
const underscoreMarkers = /[sr]k_|gh._|github_|npm_|hf_/;

function isTildeMarkerAt(text: string, index: number): boolean {
  return text.charCodeAt(index - 1) === 81 /* Q */;
}
const tildeMarkers = /Q~/;

function isEqualsMarkerAt(text: string, index: number): boolean {
  return text.startsWith('AccountKey', index - 10) || text.startsWith('sig', index - 3);
}
const equalsMarkers = /AccountKey=|sig=/;
/** After this many occurrences a character is common in this text, and one regex is the faster way on. */
const sparseHits = 32;

/** Whether `isMarkerAt` holds at an occurrence of `anchor`, or (past {@link sparseHits} of them) `fallback` matches. */
function anyAround(
  text: string,
  anchor: string,
  isMarkerAt: (text: string, index: number) => boolean,
  fallback: RegExp,
): boolean {
  let hits = 0;
  for (let index = text.indexOf(anchor); index !== -1; index = text.indexOf(anchor, index + 1)) {
    if (isMarkerAt(text, index)) return true;
    if (++hits > sparseHits) return fallback.test(text);
  }
  return false;
}

function isDashMarkerAt(text: string, index: number): boolean {
  return (
    text.charCodeAt(index - 1) === 107 /* k */ ||
    text.startsWith('-----BEGIN', index) ||
    text.startsWith('xox', index - 4) ||
    text.startsWith('xapp', index - 4) ||
    text.startsWith('glpat', index - 5) ||
    text.startsWith('GOCSPX', index - 6)
  );
}
const dashMarkers = /k-|-----BEGIN|xox.-|xapp-|glpat-|GOCSPX-/;

function isCapitalAMarkerAt(text: string, index: number): boolean {
  return text.startsWith('KIA', index + 1) || text.startsWith('SIA', index + 1) || text.startsWith('Iza', index + 1);
}
const capitalAMarkers = /AKIA|ASIA|AIza/;

function isJwtMarkerAt(text: string, index: number): boolean {
  return text.startsWith('ey', index - 2);
}
const jwtMarkers = /eyJ/;

// A plain search for "hooks.slack.com/" stops at every "h" of the text; its "/" is rare in prose.
function isSlackMarkerAt(text: string, index: number): boolean {
  return text.startsWith('hooks.slack.com', index - 15);
}
const slackMarkers = /hooks\.slack\.com\//;

/** Whether `text` may hold a token format: the pre-filter, exported so tests can prove it never hides one. */
export function mayHoldSecretToken(text: string): boolean {
  return (
    anyAround(text, '_', isUnderscoreMarkerAt, underscoreMarkers) ||
    anyAround(text, '~', isTildeMarkerAt, tildeMarkers) ||
    anyAround(text, '=', isEqualsMarkerAt, equalsMarkers) ||
    anyAround(text, '-', isDashMarkerAt, dashMarkers) ||
    anyAround(text, 'A', isCapitalAMarkerAt, capitalAMarkers) ||
    anyAround(text, 'J', isJwtMarkerAt, jwtMarkers) ||
    anyAround(text, '/', isSlackMarkerAt, slackMarkers) ||
    text.includes('ya29.') ||
    text.includes('SG.')
  );
}

/**
 * API keys, tokens and private keys with a recognisable format: OpenAI, Anthropic, Stripe, AWS, GitHub (classic and
 * fine-grained), GitLab, Slack (tokens and webhooks), Google (API keys, OAuth tokens, client secrets), Azure
 * (storage keys, SAS signatures, client secrets), npm, Hugging Face, SendGrid, JWTs and PEM/OpenSSH/PGP private keys.
 */
export const secretTokenRecognizer: PiiRecognizer = {
  name: 'secret-token',
  kind: 'secret',
  scanText(scan) {
    if (!scan.prefilter || mayHoldSecretToken(scan.text)) {
      tokenPattern.lastIndex = 0;
      for (let match = tokenPattern.exec(scan.text); match !== null; match = tokenPattern.exec(scan.text)) {
        const group = match.findIndex((value, index) => index > 0 && value !== undefined);
        scan.add('secret', tokenFormats[group - 1]![0], match.index, match.index + match[0].length, 0.95);
      }
    }
  },
};

const passwordKey =
  /(?:password|passwd|pwd|passphrase|passwort|kennwort|mot de passe|contrase[ñn]a|senha|wachtwoord)["']?\s*$/i;
const secretKey =
  /(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|(?:access|auth|bearer|refresh|api|session)[_-]?token|token|private[_-]?key|credentials?|access[_-]?key(?:[_-]?id)?)["']?\s*$/i;
const assignedValue = /\s*["']?([^\s"',;]+)/y;
const bearer = /\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)/g;

function entropyBitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / value.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}

function isLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 34 || code === 39;
}

const assignmentOperators = [':', '='];

// The last two letters (lower case) of every name passwordKey and secretKey end with: "password" → "rd", "api_key"
// → "ey", "token" → "en", "access_key_id" → "id" … A name ending otherwise ("name", "price", "x") matches neither, found
// without reading the value or running the two regexes, which try every offset of the name (most of this
// recognizer's cost on JSON, YAML and code, and quadratic on a run like "a:a:a:…" where each value reads to its end).
const keyNameTails = new Set(
  ['password', 'passwd', 'pwd', 'passphrase', 'passwort', 'kennwort', 'mot de passe', 'contraseña', 'contrasena']
    .concat(['senha', 'wachtwoord', 'key', 'secret', 'token', 'credential', 'credentials', 'access_key_id'])
    .map((word) => word.charCodeAt(word.length - 2) * 65_536 + word.charCodeAt(word.length - 1)),
);

function lowerCaseCode(code: number): number {
  return (code >= 65 && code <= 90) || (code >= 192 && code <= 222 && code !== 215) ? code + 32 : code;
}

/** Whether the name ending at `end` may end with a key name, after the quote and white space the regexes allow. */
function mayEndWithKeyName(text: string, end: number): boolean {
  while (end > 0 && /\s/.test(text[end - 1]!)) end -= 1;
  const quote = text.charCodeAt(end - 1);
  if (quote === 34 || quote === 39) end -= 1;
  return keyNameTails.has(lowerCaseCode(text.charCodeAt(end - 2)) * 65_536 + lowerCaseCode(text.charCodeAt(end - 1)));
}

/**
 * Secrets in assignments: `password: …`, `DB_PASSWORD=…`, `"client_secret": "…"`, and high-entropy values assigned
 * to names such as `api_key`, `token` or `secret`; also `Authorization: Bearer …` headers.
 */
export const secretAssignmentRecognizer: PiiRecognizer = {
  name: 'secret-assignment',
  kind: 'secret',
  scanText(scan) {
    const text = scan.text;
    for (const operator of assignmentOperators) {
      for (let index = text.indexOf(operator); index !== -1; index = text.indexOf(operator, index + 1)) {
        // A name ends right before the operator (spaces and a closing quote allowed): "10:30" is not an assignment.
        let nameEnd = index;
        while (nameEnd > 0 && text.charCodeAt(nameEnd - 1) === 32) nameEnd -= 1;
        if (!isLetterCode(text.charCodeAt(nameEnd - 1))) continue;
        if (scan.prefilter && !mayEndWithKeyName(text, nameEnd)) continue;
        assignedValue.lastIndex = index + 1;
        const value = assignedValue.exec(text)?.[1];
        // A password needs 6 characters and a secret 16: shorter values ("id": 123, x: 10) skip the name regexes,
        // which read the name at every offset and cost most of this recognizer on JSON and code.
        if (value === undefined || value.length < 6) continue;
        const name = text.slice(Math.max(0, nameEnd - 32), nameEnd);
        if (passwordKey.test(name)) {
          scan.add('secret', 'password-assignment', index + 1, index + 1 + value.length + 1, 0.8);
        } else if (value.length >= 16 && secretKey.test(name)) {
          const strong = /\d/.test(value) && /[A-Za-z]/.test(value) && entropyBitsPerChar(value) >= 3;
          if (strong) scan.add('secret', 'secret-assignment', index + 1, index + 1 + value.length + 1, 0.75);
        }
      }
    }
    if (text.includes('Bearer')) {
      bearer.lastIndex = 0;
      for (let match = bearer.exec(text); match !== null; match = bearer.exec(text)) {
        scan.add('secret', 'bearer-token', match.index, match.index + match[0].length, 0.8);
      }
    }
  },
};

const credentialUrl = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@[^\s/]+/gi;

/** URLs and connection strings with a user and password in them (`postgres://app:s3cret@db:5432/app`). */
export const urlCredentialsRecognizer: PiiRecognizer = {
  name: 'url-credentials',
  kind: 'secret',
  scanText(scan) {
    if (!scan.text.includes('://')) return;
    credentialUrl.lastIndex = 0;
    for (let match = credentialUrl.exec(scan.text); match !== null; match = credentialUrl.exec(scan.text)) {
      scan.add('secret', 'url-credentials', match.index, match.index + match[0].length, 0.9);
    }
  },
};
