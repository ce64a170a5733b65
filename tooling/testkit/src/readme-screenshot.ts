import { writeFile } from 'node:fs/promises';

/**
 * Keeps a README picture taken by an end-to-end test. The picture is taken on every run (so the page must render a
 * real PNG of some size, or this throws), but it is written over `path` only with `UPDATE_SCREENSHOTS=1`: a plain
 * `pnpm test` leaves the work tree clean. Returns whether it wrote the file.
 *
 * @example
 * ```ts
 * await keepReadmeScreenshot(await page.screenshot({ fullPage: true }), 'docs/screenshot.png');
 * ```
 */
export async function keepReadmeScreenshot(png: Uint8Array, path: string): Promise<boolean> {
  const signature = Buffer.from(png.subarray(1, 4)).toString('latin1');
  if (signature !== 'PNG' || png.length < 10_000) {
    throw new Error(`expected a PNG screenshot of at least 10 KB, got ${png.length} bytes starting "${signature}"`);
  }
  if (process.env.UPDATE_SCREENSHOTS !== '1') return false;
  await writeFile(path, png);
  return true;
}
