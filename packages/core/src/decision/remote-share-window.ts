/**
 * The localities of the last `capacity` executed requests for which a local and a remote target were both eligible:
 * what `quality.maxRemoteShare` is measured against. A ring buffer with a running count, so reading the share is O(1).
 */
export class RemoteShareWindow {
  #remote: boolean[] = [];
  #next = 0;
  #remoteCount = 0;

  constructor(private capacity: number) {}

  /** Requests in the window. */
  get size(): number {
    return this.#remote.length;
  }

  /** Remote share of the window, 0..1; 0 while it is empty. */
  get share(): number {
    return this.#remote.length === 0 ? 0 : this.#remoteCount / this.#remote.length;
  }

  record(remote: boolean): void {
    if (this.#remote.length < this.capacity) {
      this.#remote.push(remote);
    } else {
      if (this.#remote[this.#next]) this.#remoteCount -= 1;
      this.#remote[this.#next] = remote;
      this.#next = (this.#next + 1) % this.capacity;
    }
    if (remote) this.#remoteCount += 1;
  }

  /** Changes the capacity, keeping the most recent entries. */
  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    const ordered = [...this.#remote.slice(this.#next), ...this.#remote.slice(0, this.#next)].slice(-capacity);
    this.capacity = capacity;
    this.#remote = ordered;
    this.#next = 0;
    this.#remoteCount = ordered.filter(Boolean).length;
  }
}
