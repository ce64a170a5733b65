/** One published package as `publishedPackages` reads it from its `package.json`. */
export interface PublishedPackage {
  name: string;
  dir: string;
  /** Module entry points: the `exports` subpath, its import specifier and its declaration file. */
  entries: Array<{ subpath: string; specifier: string; types: string }>;
  /** Import specifiers of exported data files (`@switchyard/server/config.schema.json`). */
  dataEntries: string[];
}

export function publishedPackages(root: string): PublishedPackage[];
export function reportPath(pkg: PublishedPackage): string;
export function apiReport(pkg: PublishedPackage): string;
