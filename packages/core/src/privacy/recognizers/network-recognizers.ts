import { contextBoost, isDigitCode, tokenShape } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';

const ipv6 = /[23][0-9a-f]{3}(?::[0-9a-f]{0,4}){2,7}(?![0-9a-z:])/iy;
const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const ipContext = /\bip\b|address|server|host|login|logged|ssh|connect|from|my |router|vpn|home|office|client|user/i;
// Resolvers everyone quotes; they identify no one.
const wellKnown = new Set(['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '208.67.222.222', '208.67.220.220']);

function isHexCode(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 0x20) >= 97 && (code | 0x20) <= 102);
}

/** Whether a public host could sit at `a.b.c.d` (not private, loopback, link-local, shared, multicast or reserved). */
function isPublicIpv4(a: number, b: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  return true;
}

/**
 * IP addresses that can point at a person: public IPv4 host addresses (not a range such as `10.0.0.0/8`, not a
 * private or reserved address, not a version number) and global IPv6 addresses; surer next to words like "IP".
 */
export const ipAddressRecognizer: PiiRecognizer = {
  name: 'ip-address',
  kind: 'ip-address',
  digits: [1, 32],
  shapes: tokenShape.fourDigits | tokenShape.colonOrHexAfter,
  scanNumber(scan, token) {
    const text = scan.text;
    if (token.digitCount >= 4 && token.digitCount <= 12) {
      const written = text.slice(token.start, token.end);
      const octets = ipv4.exec(written);
      if (octets !== null) {
        const [a, b, c, d] = octets.slice(1).map(Number) as [number, number, number, number];
        if (a > 255 || b > 255 || c > 255 || d > 255 || !isPublicIpv4(a, b) || wellKnown.has(written)) return;
        // A range (`/24`), a longer dotted number, or a version ("v1.2.3.4", "version 1.2.3.4") is not a host.
        if (text[token.end] === '/' || (text[token.end] === '.' && /\d/.test(text[token.end + 1] ?? ''))) return;
        if (/(?:v|version\s*|release\s*|build\s*)$/i.test(text.slice(Math.max(0, token.start - 9), token.start)))
          return;
        const context = scan.hasContextBefore(token.start, ipContext, 40) ? contextBoost : 0;
        scan.add('ip-address', 'ipv4', token.start, token.end, 0.6 + context);
        return;
      }
    }
    // A global IPv6 address starts with 2 or 3 and its first group (up to four hex digits) ends at a colon. The
    // token may have joined a number before it across a space ("IPv6 2a00:…"): the address starts after the space.
    // Inside the token a group can only end at a separator, never a colon, so the group runs to the token's end and
    // a colon or a hex letter follows it: without one, no address starts here.
    const after = text.charCodeAt(token.end);
    if (scan.prefilter && after !== 58 && !((after | 0x20) >= 97 && (after | 0x20) <= 102)) return;
    // So the address starts at the token's last run of digits, when that run starts the token or follows a space
    // (after any other separator the group would end there, at no colon). Found by reading the run backwards: a
    // search for the space could read far back through text without spaces, once per token.
    let start = token.end;
    while (start > token.start && isDigitCode(text.charCodeAt(start - 1))) start -= 1;
    if (start !== token.start && text.charCodeAt(start - 1) !== 32) return;
    const first = text.charCodeAt(start);
    if (first !== 50 && first !== 51) return;
    let groupEnd = start + 1;
    while (groupEnd < start + 4 && isHexCode(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (text.charCodeAt(groupEnd) !== 58) return;
    ipv6.lastIndex = start;
    if (start === 0 || !/[0-9A-Za-z:]/.test(text[start - 1]!)) {
      const match = ipv6.exec(text);
      if (match === null) return;
      const groups = match[0].split(':');
      if (!match[0].includes('::') && groups.length !== 8) return;
      if (text[start + match[0].length] === '/') return;
      const context = scan.hasContextBefore(start, ipContext, 40) ? contextBoost : 0;
      scan.add('ip-address', 'ipv6', start, start + match[0].length, 0.6 + context);
    }
  },
};
