/** A chunk download a test controls: see {@link holdImport}. */
export interface HeldImport<T> {
  /** What the mocked import runs: counts the import, waits for {@link release}, then fails or answers. */
  load(): Promise<T>;
  /** Lets every waiting and later import through. */
  release(): void;
  /** How many times the module was imported. */
  imports(): number;
}

/**
 * A stand-in for the download of a chunk a browser build imports on demand (`onDemandModule`): the import waits until
 * the test calls `release()` (a slow download), then the first `failures` imports fail with "chunk lost" (a chunk the
 * network lost) and later ones answer `importActual()`. Never releasing it stands for a stalled download. A test
 * that releases must wait for the import to answer before it ends: vitest shares a module's pending load with the
 * next test's import of it, whatever that test's mock says.
 *
 * @example
 * ```ts
 * const held = holdImport(() => vi.importActual('./execute-plan.js'), { failures: 1 });
 * vi.doMock('./execute-plan.js', held.load);
 * ```
 */
export function holdImport<T>(importActual: () => Promise<T>, { failures = 0 } = {}): HeldImport<T> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let imports = 0;
  return {
    async load() {
      imports += 1;
      const attempt = imports;
      await released;
      if (attempt <= failures) throw new Error('chunk lost');
      return importActual();
    },
    release,
    imports: () => imports,
  };
}
