// Runs in a dedicated worker of the test page (the page loads it too, where it only sets a handler nothing calls).
import { createOpenAITarget, type OpenAISettings } from '@switchyard/adapter-openai';
import type { TargetCall } from '@switchyard/contract';

self.onmessage = async (event: MessageEvent<{ settings: OpenAISettings; call: TargetCall }>) => {
  try {
    let text = '';
    for await (const part of createOpenAITarget(event.data.settings).stream(event.data.call)) {
      if (part.type === 'text-delta') text += part.text;
    }
    postMessage({ text });
  } catch (error) {
    postMessage({ error: String(error) });
  }
};
