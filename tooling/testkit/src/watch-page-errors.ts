import type { Page } from 'playwright-core';

/** What {@link watchPageErrors} collects from a page. */
export interface PageErrors {
  /** Every uncaught page error and console error, in order (`page error: …`, `console: …`). */
  readonly errors: string[];
  /**
   * Waits for `wait`, or fails at once with the page's first uncaught error: a page whose script cannot load never
   * becomes ready, and the test should say why instead of waiting out its timeout.
   */
  until<T>(wait: Promise<T>): Promise<T>;
}

/** Collects `page`'s uncaught errors and console errors; `label` prefixes the failure `until` throws. */
export function watchPageErrors(page: Page, label = 'the page'): PageErrors {
  const errors: string[] = [];
  let fail: (error: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => {
    fail = reject;
  });
  broken.catch(() => {});
  page.on('pageerror', (error) => {
    errors.push(`page error: ${error.message}`);
    fail(new Error(`${label} failed: ${error.message}`));
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { errors, until: (wait) => Promise.race([wait, broken]) };
}
