/**
 * `@switchyard/testkit`: real loopback servers and fixtures for Switchyard's tests and demo. Not published. It
 * generates the tiny GGUF model (a deterministic llama-architecture model written by this project's own code, loadable
 * by node-llama-cpp and llama.cpp's `llama-server`) that stands in for a real on-device model in tests and the demo.
 */

// The fault proxy and loopback ports are published with the adapter kit, for adapters outside this repository too.
export type { Fault, FaultProxy, FaultProxyOptions, ProxiedRequest } from '@switchyard/adapter-utils/testing';
export { closedPortURL, freePort, startFaultProxy } from '@switchyard/adapter-utils/testing';
export { assertFreshBuild, type FreshBuildOptions } from './assert-fresh-build.js';
export type { BrowserBuildOptions, BrowserPage, BrowserPageOptions, PageFile } from './browser-page.js';
export { buildForBrowser, bundleForBrowser, chromiumArgs, chromiumPath, openBrowserPage } from './browser-page.js';
export { collect, textOf } from './collect.js';
export { eventually, rejectionOf } from './eventually.js';
export type { GgufTensor, GgufValue } from './gguf-writer.js';
export { encodeGguf } from './gguf-writer.js';
export type { LlamaServer, LlamaServerOptions } from './llama-server.js';
export { findLlamaServer, startLlamaServer } from './llama-server.js';
export type {
  OpenAIUpstream,
  OpenAIUpstreamAnswer,
  OpenAIUpstreamModel,
  OpenAIUpstreamOptions,
  OpenAIUpstreamScript,
} from './openai-upstream.js';
export { sseChunk, sseDone, sseUsageChunk, startOpenAIUpstream } from './openai-upstream.js';
export { createPageTargetProxy } from './page-target-proxy.js';
export { type ExampleRun, type ReadmeBlockOptions, ReadmeExamples, swapOnce } from './readme-examples.js';
export { keepReadmeScreenshot } from './readme-screenshot.js';
export type { RedisCluster } from './redis-cluster.js';
export { startRedisCluster } from './redis-cluster.js';
export type { RedisSentinel } from './redis-sentinel.js';
export { startRedisSentinel } from './redis-sentinel.js';
export type { RedisServer } from './redis-server.js';
export { hasRedisServer, startRedisServer } from './redis-server.js';
export { createSeededRandom } from './seeded-random.js';
export { type OversizedAnswer, sendOversized } from './send-oversized.js';
export type { StandInHandler, StandInRequest, StandInServer, StandInServerOptions } from './stand-in-server.js';
export { sendJson, startStandInServer } from './stand-in-server.js';
export { fnv1a, standInWord } from './stand-in-words.js';
export type { TinyModelOptions, TinyModelSize, WrittenTinyModel } from './tiny-model.js';
export {
  encodeTinyModel,
  ensureTinyModel,
  generatedModelFileName,
  modelCacheDir,
  TINY_MODEL_CHAT_TEMPLATE,
  TINY_MODEL_PRESETS,
  writeTinyModel,
} from './tiny-model.js';
export type { PageErrors } from './watch-page-errors.js';
export { watchPageErrors } from './watch-page-errors.js';
