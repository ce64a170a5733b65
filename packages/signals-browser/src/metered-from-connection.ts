import type { NetworkInformationLike } from './browser-apis.js';

const unmeteredTypes: ReadonlySet<string> = new Set(['ethernet', 'wifi', 'wimax']);

/**
 * Whether the connection should be treated as metered: the user asked to save data, or the link is cellular. A wired or
 * Wi-Fi link is not; anything else (desktop Chromium reports no `type`) is unknown. `effectiveType` says how fast,
 * not who pays, so it does not decide this.
 */
export function meteredFromConnection(connection: NetworkInformationLike): boolean | undefined {
  if (connection.saveData === true || connection.type === 'cellular') return true;
  if (typeof connection.type === 'string' && unmeteredTypes.has(connection.type)) return false;
  return undefined;
}
