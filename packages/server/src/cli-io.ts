/** Where a CLI run reads and writes; `runCli` defaults to the process's own streams. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Read by `plan --request -`. */
  stdin?: AsyncIterable<string | Buffer>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting it stops `serve` (gracefully) and `models pull`, as SIGINT/SIGTERM do. */
  signal?: AbortSignal;
  /** Called by `serve` once it listens, with the gateway's URL (tests and embedding). */
  onListening?: (url: string) => void;
}

/** The exit codes: 0 success, 1 a problem (bad config, bad input, failed check), 2 no eligible target. */
export const exitCodes = { ok: 0, error: 1, noEligibleTarget: 2 } as const;

/** A problem the user can fix; printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
