import { runStateStoreConformance } from '@switchyard/contract/testing';
import { createMemoryStateStore } from './create-memory-state-store.js';

runStateStoreConformance({ name: 'createMemoryStateStore', createStore: () => createMemoryStateStore() });
