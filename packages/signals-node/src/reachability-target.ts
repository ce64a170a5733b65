import type { InputProblem } from '@switchyard/contract';

/** A host and port to open a TCP connection to. */
export interface ReachabilityTarget {
  url: string;
  host: string;
  port: number;
}

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/**
 * The host and port behind a target's base URL (`https://gpu.example:8443/v1` → `gpu.example:8443`). Returns a problem
 * instead when the URL cannot be parsed or has no port and no known scheme.
 */
export function parseReachabilityTarget(url: string, path: string): ReachabilityTarget | InputProblem {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { path, message: 'expected an absolute URL such as "http://10.0.0.5:8000/v1"' };
  }
  const port = parsed.port === '' ? defaultPorts[parsed.protocol] : Number(parsed.port);
  if (port === undefined) {
    return {
      path,
      message: `no port in "${parsed.protocol}//${parsed.host}": add one, e.g. "${parsed.protocol}//host:8000"`,
    };
  }
  // URL keeps IPv6 literals bracketed; net.connect wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `${parsed.protocol}//${parsed.host}`, host, port };
}
