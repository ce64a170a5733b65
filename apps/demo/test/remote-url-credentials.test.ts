import { closedPortURL, ensureTinyModel } from '@switchyard/testkit';
import { describe, expect, it } from 'vitest';
import { createDemoRuntime } from '../src/create-demo-runtime.js';
import { demoState } from '../src/demo-state.js';
import { describeSetup } from '../src/describe-setup.js';

describe('SWITCHYARD_REMOTE_URL with credentials in it', () => {
  it('shows the endpoint on the console and to the page without the user, password or key', async () => {
    const closed = new URL(await closedPortURL());
    const runtime = await createDemoRuntime({
      env: {
        SWITCHYARD_LOCAL_MODEL: await ensureTinyModel(),
        SWITCHYARD_REMOTE_URL: `http://me:pw-secret@${closed.host}/v1?api-key=sk-query-secret`,
        SWITCHYARD_REMOTE_MODEL: 'big',
      },
    });
    try {
      const shown = [
        describeSetup({ targets: runtime.targets, usesStandIns: runtime.usesStandIns }).join('\n'),
        JSON.stringify(demoState(runtime)),
      ];
      for (const text of shown) {
        expect(text).toContain(`${closed.host}/v1`);
        expect(text).not.toMatch(/pw-secret|sk-query-secret/);
      }
    } finally {
      await runtime.dispose();
    }
  });
});
