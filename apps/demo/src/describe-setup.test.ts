import { describe, expect, it } from 'vitest';
import type { TargetSetup } from './create-demo-runtime.js';
import { describeSetup } from './describe-setup.js';

const device: TargetSetup = {
  name: 'device',
  locality: 'local',
  source: 'stand-in',
  description: 'llama.cpp in this process on a generated tiny model: a stand-in for a real on-device model',
  summary: 'llama.cpp · stand-in',
  location: '/cache/switchyard-tiny.gguf',
};
const gpu: TargetSetup = {
  name: 'gpu',
  locality: 'remote',
  source: 'env',
  description: 'OpenAI-compatible endpoint serving big (SWITCHYARD_REMOTE_URL)',
  summary: 'OpenAI-compatible · big',
  location: 'http://gpu-box:8000/v1',
};

describe('the console description of the targets', () => {
  it('says plainly that stand-ins are stand-ins and how to use real models', () => {
    const text = describeSetup({ targets: [device, gpu], usesStandIns: true }).join('\n');
    expect(text).toContain('"device": llama.cpp in this process on a generated tiny model: a stand-in');
    expect(text).toContain('/cache/switchyard-tiny.gguf');
    expect(text).toContain('These are stand-ins');
    for (const setting of [
      'SWITCHYARD_LOCAL_MODEL=',
      'SWITCHYARD_REMOTE_URL=',
      'SWITCHYARD_REMOTE_MODEL=',
      'SWITCHYARD_REMOTE_API_KEY=',
      '--config switchyard.config.json',
    ]) {
      expect(text).toContain(setting);
    }
  });

  it('leaves the stand-in notice out when every target is real', () => {
    const text = describeSetup({ targets: [{ ...device, source: 'env' }, gpu], usesStandIns: false }).join('\n');
    expect(text).toContain('"gpu": OpenAI-compatible endpoint serving big');
    expect(text).not.toContain('stand-ins');
    expect(text).not.toContain('SWITCHYARD_LOCAL_MODEL');
  });
});
