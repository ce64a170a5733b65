import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Which fenced block {@link ReadmeExamples.block} returns. */
export interface ReadmeBlockOptions {
  /** The fence's language. Default `ts`. */
  lang?: string;
  /** Which of the blocks after the heading, 0 for the first. Default 0. */
  nth?: number;
  /** Where the heading's section ends (e.g. `/\n## /`); blocks past it do not count. Default: the README's end. */
  until?: RegExp;
}

/** What a README example did when run as a module. */
export interface ExampleRun {
  /** The module's exports (a test appends `export { … }` to reach what the example made). */
  exports: Record<string, unknown>;
  /** Each `console.log` call's arguments, as passed. */
  logged: unknown[][];
  /** Everything written to `process.stdout` (streamed answers), joined. */
  written: string;
}

/**
 * Runs a package's README examples as written, so they cannot drift: a test takes a block by its heading, swaps in
 * only addresses, paths and model names ({@link swapOnce}), and runs it as a module from a folder of its own, with
 * what it prints captured. Blocks that import third-party packages must run from a folder inside the package (pass
 * `beside: new URL('.', import.meta.url)`; `.readme-*` folders are git-ignored), so those imports resolve.
 */
export class ReadmeExamples {
  readonly #readme: string;
  readonly #label: string;
  /** The folder the examples are written to and run from. */
  readonly dir: string;

  constructor(readme: URL, options: { beside?: URL } = {}) {
    const path = fileURLToPath(readme);
    this.#readme = readFileSync(path, 'utf8');
    this.#label = path.replace(/^.*?\/((?:packages|apps|tooling)\/)/, '$1');
    this.dir = mkdtempSync(
      options.beside === undefined
        ? join(tmpdir(), 'switchyard-readme-')
        : join(fileURLToPath(options.beside), '.readme-'),
    );
  }

  /**
   * The README's fenced block after the line `heading` (see {@link ReadmeBlockOptions}); throws naming the README, the
   * heading and the block when it is gone, so the test fails loudly rather than running nothing.
   */
  block(heading: string, options: ReadmeBlockOptions = {}): string {
    const { lang = 'ts', nth = 0, until } = options;
    const start = this.#readme.indexOf(`\n${heading}\n`);
    let section = start < 0 ? '' : this.#readme.slice(start + 1);
    if (until !== undefined) section = section.slice(0, searchAfterFirstLine(section, until));
    const fence = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g');
    const found = [...section.matchAll(fence)][nth]?.[1];
    if (found === undefined) {
      throw new Error(`${this.#label}: no \`\`\`${lang} block ${nth + 1} under "${heading}"`);
    }
    return found;
  }

  /** Writes `source` as `<name>.<extension>` and imports it with `console.log` and stdout captured (not printed). */
  async run(name: string, source: string, extension = 'ts'): Promise<ExampleRun> {
    const file = join(this.dir, `${name}.${extension}`);
    writeFileSync(file, source);
    const logged: unknown[][] = [];
    const written: string[] = [];
    const log = console.log;
    const write = process.stdout.write;
    console.log = (...args: unknown[]) => {
      logged.push(args);
    };
    process.stdout.write = ((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      return { exports, logged, written: written.join('') };
    } finally {
      console.log = log;
      process.stdout.write = write;
    }
  }

  /** Removes the examples' folder. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Where `until` first matches in `section` past its heading line, or the section's end. */
function searchAfterFirstLine(section: string, until: RegExp): number {
  const headingEnd = section.indexOf('\n');
  const rest = headingEnd < 0 ? '' : section.slice(headingEnd);
  const at = rest.search(until);
  return at < 0 ? section.length : headingEnd + at;
}

/**
 * `source` with `pattern` replaced, throwing unless it occurs exactly `count` times (default once): otherwise the
 * example changed shape and the test must learn the new one. A string replacement is used as it is (`$` is not
 * special); a function gets the match and its groups.
 */
export function swapOnce(
  source: string,
  pattern: string | RegExp,
  replacement: string | ((match: string, ...groups: string[]) => string),
  count = 1,
): string {
  const global =
    typeof pattern === 'string'
      ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')
      : new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
  const found = source.match(global)?.length ?? 0;
  if (found !== count) {
    throw new Error(`expected ${count} occurrence(s) of ${String(pattern)} in the README example, found ${found}`);
  }
  return source.replace(global, typeof replacement === 'string' ? () => replacement : replacement);
}
