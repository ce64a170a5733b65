/** The kinds of personal data and secrets the on-device detector recognises. */
export type PiiKind =
  | 'email'
  | 'phone-number'
  | 'card-number'
  | 'iban'
  | 'national-id'
  | 'passport'
  | 'bank-account'
  | 'date-of-birth'
  | 'street-address'
  | 'person-name'
  | 'ip-address'
  | 'secret';

/** Every kind the detector can report, in the stable order its results use. */
export const piiKinds: readonly PiiKind[] = [
  'email',
  'phone-number',
  'card-number',
  'iban',
  'national-id',
  'passport',
  'bank-account',
  'date-of-birth',
  'street-address',
  'person-name',
  'ip-address',
  'secret',
];
