import { InvalidConfigError } from '@switchyard/contract';
import { defaultMinConfidence } from './default-min-confidence.js';
import { deviceRegion } from './device-region.js';
import { isPhoneCheckProvisional, isSupportedCountry, loadPhoneCheck } from './phone-numbers.js';
import type { PiiKind } from './pii-kind.js';
import { piiKinds } from './pii-kind.js';
import type { PiiFinding } from './pii-scan.js';
import { anyTokenShape, forEachNumberToken, PiiScan, shapeOf } from './pii-scan.js';
import { hasProvisionalPhone, provisionalPhoneRecognizer } from './provisional-phone-recognizer.js';
import type { PiiRecognizer } from './recognizer.js';
import { brCpfRecognizer, caSinRecognizer, mxCurpRecognizer } from './recognizers/americas-id-recognizers.js';
import {
  auTfnRecognizer,
  cnResidentIdRecognizer,
  inAadhaarRecognizer,
  jpMyNumberRecognizer,
  krRrnRecognizer,
} from './recognizers/asia-pacific-id-recognizers.js';
import { emailRecognizer, obfuscatedEmailRecognizer, phoneRecognizer } from './recognizers/contact-recognizers.js';
import {
  abaRoutingRecognizer,
  bankAccountRecognizer,
  cardRecognizer,
  ibanRecognizer,
} from './recognizers/financial-recognizers.js';
import {
  dateOfBirthRecognizer,
  deTaxIdRecognizer,
  esDniRecognizer,
  frNirRecognizer,
  itFiscalCodeRecognizer,
  nlBsnRecognizer,
  passportRecognizer,
  ukNinoRecognizer,
  usSsnRecognizer,
} from './recognizers/identity-recognizers.js';
import { postalCodeRecognizer, streetAddressRecognizer } from './recognizers/location-recognizers.js';
import { ipAddressRecognizer } from './recognizers/network-recognizers.js';
import { personNameRecognizer } from './recognizers/person-name-recognizer.js';
import {
  secretAssignmentRecognizer,
  secretTokenRecognizer,
  urlCredentialsRecognizer,
} from './recognizers/secret-recognizers.js';
import { passwordPhraseRecognizer, pinRecognizer } from './recognizers/spoken-secret-recognizers.js';

/** Every recognizer of the detector, in the order they run. */
export const piiRecognizers: readonly PiiRecognizer[] = [
  emailRecognizer,
  obfuscatedEmailRecognizer,
  secretTokenRecognizer,
  secretAssignmentRecognizer,
  passwordPhraseRecognizer,
  urlCredentialsRecognizer,
  personNameRecognizer,
  cardRecognizer,
  ibanRecognizer,
  usSsnRecognizer,
  ukNinoRecognizer,
  frNirRecognizer,
  esDniRecognizer,
  nlBsnRecognizer,
  deTaxIdRecognizer,
  itFiscalCodeRecognizer,
  caSinRecognizer,
  brCpfRecognizer,
  mxCurpRecognizer,
  inAadhaarRecognizer,
  jpMyNumberRecognizer,
  auTfnRecognizer,
  cnResidentIdRecognizer,
  krRrnRecognizer,
  pinRecognizer,
  passportRecognizer,
  abaRoutingRecognizer,
  bankAccountRecognizer,
  dateOfBirthRecognizer,
  ipAddressRecognizer,
  streetAddressRecognizer,
  postalCodeRecognizer,
  phoneRecognizer,
];

export { defaultMinConfidence, deviceRegion };

/** Options of {@link createPiiDetector}. */
export interface PiiDetectorOptions {
  /** The kinds to look for; default every kind in {@link piiKinds}. */
  kinds?: readonly PiiKind[];
  /** Findings below this confidence (0..1) are ignored; default {@link defaultMinConfidence}. */
  minConfidence?: number;
  /**
   * ISO 3166-1 alpha-2 regions whose national phone layouts (no `+`) are read first, e.g. `['DE']` for `089 1234567`;
   * default the device locale's region. Other common regions are still tried, with less confidence.
   */
  regions?: readonly string[];
}

/** Result of a scan. */
export interface PiiDetection {
  /** Kinds found, in {@link piiKinds} order; empty when nothing was found. */
  kinds: PiiKind[];
  /** Every finding at or above the minimum confidence, in text order (offsets and recognizer names, never values). */
  findings: PiiFinding[];
}

/** A configured detector: a synchronous function of one text. */
export interface PiiDetector {
  (text: string): PiiDetection;
  /** The settings in force, defaults applied. */
  readonly options: Readonly<Required<PiiDetectorOptions>>;
  /**
   * Resolves once every answer is the full check's. At once on Node and in a detector that does not look for phone
   * numbers. In a page (core's `browser` build) the phone numbering plans load on demand: fetched the first time a
   * scan finds a number only they can decide, or when `ready` is read, whichever comes first (a page whose texts hold
   * no phone-like number never fetches them). Until they have loaded a phone number is checked provisionally: every
   * digit run the full check could accept counts, so nothing it would flag is missed, and more is flagged; such a
   * finding's recognizer is `'phone-number-provisional'`. Resolves too when the plans cannot be loaded (an offline
   * page): the provisional check then stays. A router's `generate()` and `stream()` wait for them by themselves when
   * a request needs them.
   *
   * @example
   * ```ts
   * const detect = createPiiDetector({ regions: ['US'] });
   * await detect.ready; // in a page: the phone numbering plans have loaded
   * detect('order ref 20245817').kinds; // [] (before the load: ['phone-number'])
   * ```
   */
  readonly ready: Promise<void>;
}

/** Whether `region` is an ISO 3166-1 alpha-2 code whose phone numbering plan the detector knows. */
export function isKnownPhoneRegion(region: string): boolean {
  return isSupportedCountry(region);
}

/** Every bit of `tokenShape`: the shape of a token when pre-filters are off, and of a recognizer that sets none. */
const anyShape = anyTokenShape;

/** Digit counts up to this get their own list of number recognizers; longer tokens share one. */
const maxTabulatedDigits = 40;

/** The number recognizers for one digit count, as parallel arrays (see {@link DetectorPlan.numberRecognizers}). */
interface NumberDispatch {
  /** Called as plain functions, without their recognizer as `this` (a direct call costs less than `.call`). */
  readonly scans: readonly NumberScan[];
  readonly shapes: Int32Array;
  /** Every bit of {@link shapes} together: a token with none of them reaches no recognizer. */
  readonly anyOf: number;
  /**
   * By token shape (masked with {@link anyOf}), the scans a token of that shape reaches, filled on first use: the
   * scan calls exactly those, instead of testing every recognizer's shape for every token.
   */
  readonly byShape: (readonly NumberScan[] | undefined)[];
}

type NumberScan = NonNullable<PiiRecognizer['scanNumber']>;

function scansForShape(dispatch: NumberDispatch, shape: number): readonly NumberScan[] {
  const scans = dispatch.scans.filter((_, index) => (dispatch.shapes[index]! & shape) !== 0);
  dispatch.byShape[shape] = scans;
  return scans;
}

interface DetectorPlan {
  readonly textRecognizers: readonly PiiRecognizer[];
  /**
   * Number recognizers by the digit count of a token (index 0 holds those for counts above the table), their
   * `scanNumber` functions and shapes pulled out of the recognizer objects: each recognizer object has its own
   * hidden class, so reading a property of "any recognizer" per token is a megamorphic load the scan can skip.
   */
  readonly numberRecognizers: readonly NumberDispatch[];
  readonly hasNumberRecognizers: boolean;
  /** Number recognizers whose shapes depend on the text (`shapesIn`), and the dispatch tables by their shapes. */
  readonly textShaped: readonly PiiRecognizer[];
  readonly dispatchByShapes: Map<number, readonly NumberDispatch[]>;
  readonly dispatchFor: (shapes: ReadonlyMap<PiiRecognizer, number>) => readonly NumberDispatch[];
  readonly regions: readonly string[];
  readonly wanted: ReadonlySet<PiiKind>;
  readonly minConfidence: number;
}

/**
 * Drops a finding that lies inside a surer finding of another kind (digits of an IBAN are not also a phone). A phone
 * number found by the provisional check drops nothing: the full check may reject it, and then what it covered counts.
 */
function resolveOverlaps(findings: PiiFinding[]): PiiFinding[] {
  if (findings.length < 2) return findings;
  return findings.filter(
    (finding) =>
      !findings.some(
        (other) =>
          other !== finding &&
          other.kind !== finding.kind &&
          other.recognizer !== provisionalPhoneRecognizer &&
          other.confidence > finding.confidence &&
          other.start <= finding.start &&
          other.end >= finding.end,
      ),
  );
}

/** The dispatch tables for this text: with the shapes text-shaped recognizers ask for in it (pre-filters on). */
function numberDispatchFor(plan: DetectorPlan, scan: PiiScan): readonly NumberDispatch[] {
  if (!scan.prefilter || plan.textShaped.length === 0) return plan.numberRecognizers;
  // The shapes of every text-shaped recognizer as one number (each below 512), so choosing allocates nothing.
  let key = 0;
  for (const recognizer of plan.textShaped) key = key * 512 + recognizer.shapesIn!(scan);
  let tables = plan.dispatchByShapes.get(key);
  if (tables === undefined) {
    tables = plan.dispatchFor(new Map(plan.textShaped.map((recognizer) => [recognizer, recognizer.shapesIn!(scan)])));
    plan.dispatchByShapes.set(key, tables);
  }
  return tables;
}

function runScan(text: string, plan: DetectorPlan, prefilter: boolean): PiiDetection {
  const scan = new PiiScan(text, plan.regions, prefilter);
  for (const recognizer of plan.textRecognizers) recognizer.scanText!(scan);
  if (plan.hasNumberRecognizers) {
    // Chosen at the first number token: a text without numbers never asks.
    let byDigits: readonly NumberDispatch[] | undefined;
    forEachNumberToken(text, (token) => {
      byDigits ??= numberDispatchFor(plan, scan);
      const dispatch = byDigits[token.digitCount < byDigits.length ? token.digitCount : 0]!;
      const shape = prefilter ? shapeOf(text, token) & dispatch.anyOf : anyShape;
      if (shape === 0) return;
      const scans = dispatch.byShape[shape] ?? scansForShape(dispatch, shape);
      for (let index = 0; index < scans.length; index += 1) scans[index]!(scan, token);
    });
  }
  if (scan.findings.length === 0) return { kinds: [], findings: [] };
  const findings = resolveOverlaps(
    scan.findings.filter((finding) => finding.confidence >= plan.minConfidence && plan.wanted.has(finding.kind)),
  ).sort((left, right) => left.start - right.start || right.end - left.end);
  // The browser build fetches its phone numbering plans when a scan first needs them: for a number only the full
  // check can decide. Its later scans are then the full check's (a router's requests wait for them; see create-router).
  if (isPhoneCheckProvisional() && hasProvisionalPhone(findings)) void loadPhoneCheck();
  const found = new Set(findings.map((finding) => finding.kind));
  return { kinds: piiKinds.filter((kind) => found.has(kind)), findings };
}

const complete: Promise<void> = Promise.resolve();

function planFor(
  options: PiiDetectorOptions,
): DetectorPlan & { options: Required<PiiDetectorOptions>; ready: () => Promise<void> } {
  const kinds = options.kinds ?? piiKinds;
  const minConfidence = options.minConfidence ?? defaultMinConfidence;
  const device = deviceRegion();
  const regions = options.regions ?? (device === undefined ? [] : [device]);
  // Terse: this is in the detector's chunk, which a routing page fetches before its first answer. Values are not
  // shown back but numbers; a misspelt `minConfidance` would otherwise leave the default in force without a word.
  const problems: { path: string; message: string }[] = [];
  const expect = (path: string, what: string) => problems.push({ path, message: `expected ${what}` });
  const names = ['kinds', 'minConfidence', 'regions'];
  for (const key of Object.keys(options)) if (!names.includes(key)) expect(key, `one of ${names.join(', ')}`);
  const got = typeof minConfidence === 'number' ? `, got ${minConfidence}` : '';
  if (!(minConfidence >= 0 && minConfidence <= 1) || got === '') expect(names[1]!, `a number from 0 to 1${got}`);
  const each = (list: readonly string[], path: string, ok: (item: string) => boolean, what: string) => {
    if (!Array.isArray(list)) expect(path, 'an array');
    else list.forEach((item, i) => void (ok(item) || expect(`${path}[${i}]`, what)));
  };
  each(kinds, 'kinds', (kind) => piiKinds.includes(kind as PiiKind), `one of ${piiKinds.join(', ')}`);
  each(regions, 'regions', isSupportedCountry, 'an ISO 3166-1 alpha-2 code such as "DE" or "US"');
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  const wanted = new Set(kinds);
  const active = piiRecognizers.filter((recognizer) => wanted.has(recognizer.kind));
  const dispatchFor = (textShapes: ReadonlyMap<PiiRecognizer, number>): readonly NumberDispatch[] =>
    Array.from({ length: maxTabulatedDigits + 1 }, (_, count): NumberDispatch => {
      const recognizers = active.filter((recognizer) => {
        if (recognizer.scanNumber === undefined) return false;
        const [min, max] = recognizer.digits ?? [1, Number.POSITIVE_INFINITY];
        return count === 0 ? max > maxTabulatedDigits : count >= min && count <= max;
      });
      const shapes = Int32Array.from(
        recognizers,
        (recognizer) => textShapes.get(recognizer) ?? recognizer.shapes ?? anyShape,
      );
      return {
        scans: recognizers.map((recognizer) => recognizer.scanNumber!),
        shapes,
        anyOf: shapes.reduce((all, shape) => all | shape, 0),
        byShape: new Array(anyShape + 1),
      };
    });
  const numberRecognizers = dispatchFor(new Map());
  return {
    textRecognizers: active.filter((recognizer) => recognizer.scanText !== undefined),
    numberRecognizers,
    hasNumberRecognizers: numberRecognizers.some((dispatch) => dispatch.scans.length > 0),
    textShaped: active.filter((recognizer) => recognizer.scanNumber !== undefined && recognizer.shapesIn !== undefined),
    dispatchByShapes: new Map(),
    dispatchFor,
    // The browser build's numbering plans load on demand: when a scan needs them, or when someone waits for `ready`.
    ready: wanted.has('phone-number') ? loadPhoneCheck : () => complete,
    regions,
    wanted,
    minConfidence,
    options: { kinds: [...kinds], minConfidence, regions: [...regions] },
  };
}

/**
 * Creates the on-device personal-data detector: named recognizers (after Microsoft Presidio's design) for emails,
 * phone numbers (libphonenumber-js), payment cards (Luhn), IBANs (mod 97), national ids (US SSN, UK NINO, French
 * NIR, Spanish DNI/NIE, Dutch BSN, German tax id, Italian codice fiscale, Canadian SIN, Brazilian CPF, Mexican CURP,
 * Indian Aadhaar, Japanese My Number, Australian TFN, Chinese resident id, South Korean RRN), passports, bank accounts and routing
 * numbers, dates of birth, street addresses and postcodes, people's names given in context, IP addresses, and
 * secrets (API keys, tokens, private keys, passwords assigned or said in a sentence, PINs, credentials in URLs). Synchronous, no network, no model: the
 * text never leaves the device. Bad options throw an `InvalidConfigError` naming each (an unknown option such as
 * `minConfidance`, a `minConfidence` outside 0..1, an unknown kind or region).
 *
 * @example
 * ```ts
 * const detect = createPiiDetector({ regions: ['DE'], minConfidence: 0.6 });
 * detect('Ruf mich an: 089 1234567').kinds; // ['phone-number']
 * ```
 */
export function createPiiDetector(options: PiiDetectorOptions = {}): PiiDetector {
  const plan = planFor(options);
  const detector = (text: string) => runScan(text, plan, true);
  return Object.defineProperties(detector, {
    options: { value: plan.options, enumerable: true },
    // A getter: reading `ready` is what asks for the numbering plans (in a page) when no scan has needed them yet.
    ready: { get: plan.ready, enumerable: true },
  }) as PiiDetector;
}

let defaultDetector: PiiDetector | undefined;

/**
 * Scans `text` with the default detector (every kind, confidence ≥ 0.5, the device locale's region first), or with
 * `options` when given. It errs on the side of detecting: a false positive keeps a request on the device, a false
 * negative could send it away.
 *
 * @example
 * ```ts
 * detectPii('Mail me at ada@example.org').kinds; // ['email']
 * ```
 */
export function detectPii(text: string, options?: PiiDetectorOptions): PiiDetection {
  if (options !== undefined) return createPiiDetector(options)(text);
  defaultDetector ??= createPiiDetector();
  return defaultDetector(text);
}

/** {@link detectPii} with the pre-filters switchable, so tests can prove they never change an answer. */
export function scanPii(text: string, prefilter: boolean, options?: PiiDetectorOptions): PiiDetection {
  if (options !== undefined) return runScan(text, planFor(options), prefilter);
  defaultPlan ??= planFor({});
  return runScan(text, defaultPlan, prefilter);
}

let defaultPlan: DetectorPlan | undefined;

export { isIbanValid, isLuhnValid } from './checksums.js';
export type { PiiKind } from './pii-kind.js';
export { piiKinds } from './pii-kind.js';
export type { PiiFinding } from './pii-scan.js';
