export { type BlueskyAdapterOptions, blueskyCapabilities, createBlueskyAdapter } from './bluesky-adapter.js';
export { signInWithAppPassword } from './bluesky-client.js';
