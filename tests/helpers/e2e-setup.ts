import { ensureChromium } from './ensure-chromium.js';

/** Global setup of the browser suite: Chromium must be there (installed when we can). */
export default function setup() {
  ensureChromium();
}
