/**
 * How long a caller waits for a chunk that neither loads nor fails (a stalled connection) before it is answered with
 * an error; browsers fail a lost request well before this.
 */
export const onDemandGiveUpMs = 10_000;

/**
 * A module a browser build imports when it is first needed instead of with the package, so a page's bundler puts it
 * in a chunk of its own and the page's first load stays small (bench row 10). Made by {@link onDemandModule}.
 */
export interface OnDemandModule<T> {
  /** The module once it has loaded, else `undefined`: what a synchronous caller reads. */
  readonly loaded: T | undefined;
  /** Why the last load answered without the module (failed, or no answer in time); `undefined` once it has loaded. */
  readonly problem: Error | undefined;
  /**
   * Starts the import if it has not started, and answers with the module or with the reason it is not there: the
   * import failed (the next call imports again) or gave no answer within the give-up time (later calls get that
   * answer at once instead of waiting again; the module is used when it does arrive). Never rejects.
   */
  load(): Promise<T | Error>;
}

/**
 * Wraps `importModule` (a function calling `import()`, so bundlers see the split point) in an {@link OnDemandModule}.
 * Nothing is imported until the first `load()`.
 *
 * @example
 * ```ts
 * const queue = onDemandModule(() => import('p-queue').then((module) => module.default));
 * void queue.load(); // when a router that needs it is created
 * const PQueue = queue.loaded ?? (await queue.load()); // the class, or an Error saying why it is missing
 * ```
 */
export function onDemandModule<T>(importModule: () => Promise<T>, giveUpMs = onDemandGiveUpMs): OnDemandModule<T> {
  let loaded: T | undefined;
  let importing: Promise<T | Error> | undefined;
  let stalled: Error | undefined;
  let problem: Error | undefined;
  return {
    get loaded() {
      return loaded;
    },
    get problem() {
      return loaded === undefined ? problem : undefined;
    },
    load() {
      if (loaded !== undefined) return Promise.resolve(loaded);
      if (stalled !== undefined) return Promise.resolve(stalled);
      importing ??= importModule().then(
        (module) => {
          loaded = module;
          stalled = undefined;
          return module;
        },
        (error: unknown) => {
          importing = undefined;
          stalled = undefined;
          problem = error instanceof Error ? error : new Error(String(error));
          return problem;
        },
      );
      const answer = importing;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          stalled = new Error(`no answer after ${giveUpMs / 1000} s`);
          problem = stalled;
          resolve(stalled);
        }, giveUpMs);
        // A page has no process to keep alive; in Node (tests of a browser build) a pending load must not hold it.
        (timer as { unref?: () => void }).unref?.();
        void answer.then((result) => {
          clearTimeout(timer);
          resolve(result);
        });
      });
    },
  };
}

/**
 * An {@link OnDemandModule} that is there from the start: what a Node build exports where its browser build exports
 * `onDemandModule(() => import(…))`, so the code reading it is the same in both.
 */
export function loadedModule<T>(module: T): OnDemandModule<T> {
  const answer = Promise.resolve(module);
  return { loaded: module, problem: undefined, load: () => answer };
}
