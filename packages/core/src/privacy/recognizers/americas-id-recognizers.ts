import { isAsciiUpperCode } from '../char-codes.js';
import { isBrazilianCpfValid, isCanadianSinValid, isMexicanCurpValid } from '../checksums.js';
import { contextBoost, tokenShape } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';
import { addIfLabelled } from './labelled-id.js';

// "SIN" and "NAS" in capitals only: "sin" is Spanish for "without", and a NAS is also a file server.
const sinContext =
  /\b(?:SIN|S\.I\.N|NAS)\b|\b[Ss]in\s*(?:#|no\b|number\b|is\b|:)|[Ss]ocial [Ii]nsurance|[Aa]ssurance[ -][Ss]ociale/;
const sinWritten = /^\d{3}([- ]?)\d{3}\1\d{3}$/;

/**
 * Canadian social insurance numbers (`046 454 286`): nine digits with a Luhn check digit, next to "SIN" or "social
 * insurance". Sure enough to outrank the phone number the same digits may also be.
 */
export const caSinRecognizer: PiiRecognizer = {
  name: 'ca-sin',
  kind: 'national-id',
  digits: [9, 9],
  scanNumber(scan, token) {
    // One Luhn check in ten passes by chance: the number alone could be anything, so a label is needed.
    if (token.digitCount === 9 && isCanadianSinValid(scan.digitsOf(token)))
      addIfLabelled(scan, token, 'ca-sin', sinWritten, sinContext);
  },
};

const cpfContext = /\bCPF\b|cadastro de pessoas?/i;
const cpfFormatted = /^\d{3}\.\d{3}\.\d{3}-\d{2}$/;
const cpfPlain = /^\d{9}-?\d{2}$/;

/**
 * Brazilian CPF numbers (`529.982.247-25`): 11 digits with two mod-11 check digits. Written in the CPF's own layout
 * they are found alone; as a plain run of digits (which a phone number can be) only next to "CPF".
 */
export const brCpfRecognizer: PiiRecognizer = {
  name: 'br-cpf',
  kind: 'national-id',
  digits: [11, 11],
  scanNumber(scan, token) {
    if (token.digitCount !== 11 || !isBrazilianCpfValid(scan.digitsOf(token))) return;
    const written = scan.text.slice(token.start, token.end);
    const formatted = cpfFormatted.test(written);
    if (!formatted && !cpfPlain.test(written)) return;
    const context = scan.hasContextBefore(token.start, cpfContext) ? contextBoost : 0;
    // 0.75: above a national phone number of the page's region (0.7), which the digits of a CPF can also be.
    if (formatted || context > 0) scan.add('national-id', 'br-cpf', token.start, token.end, 0.75 + context);
  },
};

const curpPattern = /[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d(?![A-Za-z0-9])/y;
const curpContext = /\bCURP\b|registro de poblaci/i;

/**
 * Mexican CURPs (`GODE561231HDFABC01`): four letters, the birth date, sex, state, three consonants, and a check digit
 * over the seventeen characters before it. One whose check digit fails is reported only next to "CURP".
 */
export const mxCurpRecognizer: PiiRecognizer = {
  name: 'mx-curp',
  kind: 'national-id',
  digits: [6, 6],
  // The birth date is the first run of digits, right after the four letters of the name.
  shapes: tokenShape.letterBefore,
  scanNumber(scan, token) {
    const text = scan.text;
    if (token.digitCount !== 6 || token.end - token.start !== 6 || !isAsciiUpperCode(text.charCodeAt(token.start - 1)))
      return;
    const start = token.start - 4;
    if (start < 0 || /[A-Za-z0-9]/.test(text[start - 1] ?? '')) return;
    curpPattern.lastIndex = start;
    const match = curpPattern.exec(text);
    if (match === null) return;
    if (isMexicanCurpValid(match[0])) scan.add('national-id', 'mx-curp', start, start + 18, 0.95);
    else if (scan.hasContextBefore(start, curpContext))
      scan.add('national-id', 'mx-curp', start, start + 18, 0.45 + contextBoost);
  },
};
