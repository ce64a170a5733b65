/**
 * `@switchyard/adapter-triton` turns one LLM on an NVIDIA Triton Inference Server — the usual way GPU fleets serve
 * TensorRT-LLM and vLLM models — into a Switchyard `Target` (locality `remote`). It speaks the KServe v2 protocol:
 * health and model readiness for `status()`, the model config to tell vLLM from TensorRT-LLM, and the generate
 * extension (`/generate`, and `/generate_stream` as server-sent events) for text. Because that endpoint takes a
 * single text prompt, chat messages are rendered with a documented chat template.
 */
export type { ChatTemplate } from './chat-template.js';
export type { TritonBackend, TritonSettings } from './triton-settings.js';
export type { TritonTarget } from './triton-target.js';
export { createTritonTarget, tritonDescriptor } from './triton-target.js';
