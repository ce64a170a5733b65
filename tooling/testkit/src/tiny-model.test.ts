import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeTinyModel,
  ensureTinyModel,
  TINY_MODEL_CHAT_TEMPLATE,
  TINY_MODEL_PRESETS,
  writeTinyModel,
} from './tiny-model.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-tiny-model-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeTinyModel', () => {
  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const a = await writeTinyModel({ path: join(dir, 'a.gguf'), seed: 5 });
    const b = await writeTinyModel({ path: join(dir, 'b.gguf'), seed: 5 });
    const c = await writeTinyModel({ path: join(dir, 'c.gguf'), seed: 6 });
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    const bytes = await readFile(a.path);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
    expect(bytes.length).toBe(a.bytes);
  });

  it('produces a GGUF v3 file under 1 MB by default', async () => {
    const bytes = encodeTinyModel();
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('GGUF');
    expect(bytes.readUInt32LE(4)).toBe(3);
    expect(bytes.length).toBeLessThan(1024 * 1024);
  });

  it('scales with embedding length and block count', () => {
    const small = encodeTinyModel();
    const bigger = encodeTinyModel({ embeddingLength: 128, blockCount: 4 });
    expect(bigger.length).toBeGreaterThan(small.length * 3);
  });

  it('rejects an embedding length that the heads cannot split', () => {
    expect(() => encodeTinyModel({ embeddingLength: 66, headCount: 4 })).toThrow(/embeddingLength 66/);
  });
});

describe('ensureTinyModel', () => {
  it('writes the model once and rewrites it only when the file differs', async () => {
    const cache = join(dir, 'cache');
    const path = await ensureTinyModel({ dir: cache });
    expect(path).toMatch(new RegExp(`^${cache}/switchyard-tiny-[0-9a-f]{12}\\.gguf$`));
    const first = await stat(path);
    expect(await ensureTinyModel({ dir: cache })).toBe(path);
    expect((await stat(path)).mtimeMs).toBe(first.mtimeMs);

    await writeFile(path, 'not a model');
    await ensureTinyModel({ dir: cache });
    expect((await readFile(path)).equals(encodeTinyModel(TINY_MODEL_PRESETS.tiny))).toBe(true);
  });

  it('uses $SWITCHYARD_CACHE_DIR/models when no directory is given', async () => {
    const previous = process.env.SWITCHYARD_CACHE_DIR;
    process.env.SWITCHYARD_CACHE_DIR = join(dir, 'env-cache');
    try {
      expect(await ensureTinyModel()).toMatch(
        new RegExp(`^${join(dir, 'env-cache', 'models')}/switchyard-tiny-[0-9a-f]{12}\\.gguf$`),
      );
    } finally {
      if (previous === undefined) delete process.env.SWITCHYARD_CACHE_DIR;
      else process.env.SWITCHYARD_CACHE_DIR = previous;
    }
  });

  it('writes a larger variant for size "large"', async () => {
    const tiny = await stat(await ensureTinyModel({ dir }));
    const large = await stat(await ensureTinyModel({ dir, size: 'large' }));
    expect(large.size).toBeGreaterThan(tiny.size * 5);
  });
});

describe('the generated model in node-llama-cpp', () => {
  let llama: Llama;
  let model: LlamaModel;
  let context: LlamaContext;

  beforeAll(async () => {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await ensureTinyModel({ dir }) });
    context = await model.createContext({ contextSize: 512, threads: 1, sequences: 1 });
  });

  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
    await llama?.dispose();
  });

  it('exposes the ChatML template and resolves the ChatML chat wrapper', async () => {
    const { resolveChatWrapper, ChatMLChatWrapper } = await import('node-llama-cpp');
    expect(model.fileInfo.metadata.tokenizer.chat_template).toBe(TINY_MODEL_CHAT_TEMPLATE);
    expect(resolveChatWrapper(model)).toBeInstanceOf(ChatMLChatWrapper);
  });

  it('tokenizes text and detokenizes it back', () => {
    const tokens = model.tokenize('the model is ready.');
    expect(tokens.length).toBeGreaterThan(0);
    expect(model.detokenize(tokens)).toBe('the model is ready.');
  });

  it('generates readable words and finishes both by end-of-sequence and by the token limit', async () => {
    const { LlamaChatSession } = await import('node-llama-cpp');
    const prompts = ['Hello there', 'What is the capital of France?', 'Explain routing', 'Count to ten'];
    const reasons = new Set<string>();
    for (const prompt of prompts) {
      const sequence = context.getSequence();
      const session = new LlamaChatSession({ contextSequence: sequence });
      try {
        const result = await session.promptWithMeta(prompt, { maxTokens: 24 });
        expect(result.responseText).toMatch(/^[\w\s.,!?:;'"()-]+$/);
        expect(result.responseText.trim().length).toBeGreaterThan(0);
        reasons.add(result.stopReason);
      } finally {
        session.dispose();
        sequence.dispose();
      }
    }
    expect(reasons).toEqual(new Set(['eogToken', 'maxTokens']));
  });
});
