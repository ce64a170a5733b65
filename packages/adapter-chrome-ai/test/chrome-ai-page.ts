// Runs in headless Chromium. `realTarget` uses the browser's own LanguageModel (no model behind it here); the
// stand-in targets use the Prompt API stand-in from the public docs.
import { hostTarget } from '@switchyard/testkit/page';
import { createChromeAITarget } from '../src/index.js';
import type { StandInControls } from './prompt-api-stand-in.js';
import { createPromptApiStandIn } from './prompt-api-stand-in.js';

const controls: StandInControls = {
  availability: 'available',
  chunkDelayMs: 2,
  downloadSteps: 5,
  sessionsCreated: 0,
  sessionsDestroyed: 0,
};
const standIn = createChromeAITarget({ id: 'chrome-ai-stand-in', languageModel: createPromptApiStandIn(controls) });
hostTarget('stand-in', standIn);

const downloadControls: StandInControls = { ...controls, availability: 'downloadable' };
const downloadable = createChromeAITarget({ languageModel: createPromptApiStandIn(downloadControls) });

Object.assign(globalThis, {
  chromeAiTest: {
    createChromeAITarget,
    controls,
    standIn,
    downloadControls,
    downloadable,
    realLanguageModel: (globalThis as { LanguageModel?: unknown }).LanguageModel,
  },
});
