import { isSupportedCountry } from './phone-numbers.js';

/** The region of the device's locale (`Intl`, so it works in browsers and on Node), or `undefined`. */
export function deviceRegion(): string | undefined {
  try {
    const locale = new Intl.Locale(Intl.DateTimeFormat().resolvedOptions().locale).maximize();
    return locale.region !== undefined && isSupportedCountry(locale.region) ? locale.region : undefined;
  } catch {
    return undefined;
  }
}
