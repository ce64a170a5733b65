// Runs in the test page before the adapter creates its engine: records the messages between the page and wllama's
// worker (the requests the page posts, by action, and the answers it gets back, in order), so a test can count the
// worker round trips of a request. It wraps the page's `Worker` class; wllama creates its worker with `new Worker`.

/**
 * One message: a request the page posted (`action` is the wllama action, e.g. `completion`), an answer to one, or
 * something else the worker sent (`verb`: a log line is `console.debug` and the like).
 */
export type WorkerMessage =
  | { direction: 'request'; action: string }
  | { direction: 'answer' }
  | { direction: 'other'; verb: string; text: string };

export const workerMessages: WorkerMessage[] = [];

const PageWorker = globalThis.Worker;

globalThis.Worker = class RecordedWorker extends PageWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    this.addEventListener(
      'message',
      (event: MessageEvent<{ callbackId?: unknown; verb?: unknown; args?: unknown[] } | undefined>) => {
        if (event.data?.callbackId !== undefined) workerMessages.push({ direction: 'answer' });
        else {
          const text = String(event.data?.args?.[0]).slice(0, 80);
          workerMessages.push({ direction: 'other', verb: String(event.data?.verb), text });
        }
      },
    );
  }

  override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
    const request = message as { verb?: unknown; args?: unknown[] } | undefined;
    if (request?.verb === 'wllama.action')
      workerMessages.push({ direction: 'request', action: String(request.args?.[0]) });
    super.postMessage(message, options as StructuredSerializeOptions);
  }
};
