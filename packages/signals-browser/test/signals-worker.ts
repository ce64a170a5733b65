// Runs in a dedicated worker of the test page.
import { createBrowserSignals } from '../src/index.js';

const signals = createBrowserSignals();
const device = await signals.refresh();
postMessage({ device, hasBattery: 'getBattery' in navigator });
signals.dispose();
