import type * as OpenTelemetryApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, when the application installed it. */
export type OpenTelemetryApiModule = typeof OpenTelemetryApi;

// `@opentelemetry/api` is an optional peer dependency: core must load without it, and must not hold a top-level await
// (that would break `require()` of core from CommonJS). So the import starts when this module loads and settles long
// before a request could need it; the rare request that starts earlier awaits it once (see `whenOpenTelemetryLoaded`).
// The specifier is a variable so browser bundlers do not try to resolve a package the app may not have installed.
const specifier = '@opentelemetry/api';
let loaded: OpenTelemetryApiModule | null | undefined;
const loading: Promise<OpenTelemetryApiModule | null> = import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)
  .then((module: OpenTelemetryApiModule) => {
    loaded = module;
    return module;
  })
  .catch(() => {
    loaded = null;
    return null;
  });

/** The API module (`null` when it is not installed), or `undefined` while the import is still settling. */
export function openTelemetryApi(): OpenTelemetryApiModule | null | undefined {
  return loaded;
}

/** Resolves once the import settled, with the module or `null`. */
export function whenOpenTelemetryLoaded(): Promise<OpenTelemetryApiModule | null> {
  return loading;
}
