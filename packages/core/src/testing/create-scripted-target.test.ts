import { runTargetConformance } from '@switchyard/contract/testing';
import { createScriptedTarget } from './create-scripted-target.js';

runTargetConformance({
  name: 'core scripted target',
  createTarget: () =>
    createScriptedTarget({ script: [{ text: 'Once upon a time a train yard hummed through the night.' }] }),
});
