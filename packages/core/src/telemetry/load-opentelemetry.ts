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
  .then((module: OpenTelemetryApiModule) =>
    loadRequestTraces().then(() => {
      loaded = module;
      return module;
    }),
  )
  .catch(() => {
    loaded = null;
    return null;
  });

/** The request-trace module (spans and metrics of one request), which only runs where an OpenTelemetry API is. */
export type RequestTraceModule = typeof import('./request-trace.js');

let requestTraceModule: RequestTraceModule | null | undefined;
let requestTraceLoading: Promise<RequestTraceModule | null> | undefined;

/**
 * Loads the request-trace code once, after the API module loaded or when a router is given one: a bundler puts it in
 * a chunk of its own, so a page without OpenTelemetry never downloads it (bench row 10). `null` if it fails to load
 * (a chunk the network lost): requests then run untraced rather than fail.
 */
export function loadRequestTraces(): Promise<RequestTraceModule | null> {
  requestTraceLoading ??= import('./request-trace.js').then(
    (module) => {
      requestTraceModule = module;
      return module;
    },
    () => {
      requestTraceModule = null;
      return null;
    },
  );
  return requestTraceLoading;
}

/** The request-trace module once loaded, `null` if it could not be, `undefined` before. */
export function requestTraces(): RequestTraceModule | null | undefined {
  return requestTraceModule;
}

/** The API module (`null` when it is not installed), or `undefined` while the import is still settling. */
export function openTelemetryApi(): OpenTelemetryApiModule | null | undefined {
  return loaded;
}

/** Resolves once the import settled (and, when it loaded, the request-trace code too), with the module or `null`. */
export function whenOpenTelemetryLoaded(): Promise<OpenTelemetryApiModule | null> {
  return loading;
}
