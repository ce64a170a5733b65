/**
 * `@switchyard/core/testing`: helpers for testing code that uses the router, without a model or a network. A
 * scripted `Target` follows the contract contract and can be told to fail, delay, hang, break mid-stream or end
 * without `finish`; other packages (server, demo, benchmarks) use it as a stand-in.
 */
export type { ScriptedTarget, ScriptedTargetSettings, ScriptStep } from './create-scripted-target.js';
export { createScriptedTarget } from './create-scripted-target.js';
