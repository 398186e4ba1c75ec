import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../../config/load-config.js';
import { TEST_REDIS_URL } from './test-database-url.js';

/** A valid config for a test, with fresh secrets and a Redis prefix of its own. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `hmtest-${randomBytes(4).toString('hex')}`,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/**
 * The variables that turn Facebook and Instagram on, pointed at a Meta Graph sandbox:
 * `testConfig({ ...metaTestEnv(sandbox.baseUrl) })`. Without them a test's config has Meta off.
 */
export function metaTestEnv(graphBaseUrl: string): Record<string, string> {
  return {
    // the Meta sandbox's default app (sandbox/meta/state.ts DEFAULT_APP)
    META_APP_ID: '1029384756102938',
    META_APP_SECRET: 'sandbox-meta-app-secret',
    META_WEBHOOK_VERIFY_TOKEN: 'sandbox-verify-token-0123456789',
    META_GRAPH_BASE_URL: graphBaseUrl,
    META_GRAPH_VERSION: 'v21.0',
  };
}

/**
 * The variables that turn YouTube on, pointed at a sandbox (its default Google client,
 * sandbox/youtube/state.ts DEFAULT_GOOGLE_CLIENT): `testConfig(youtubeTestEnv(sandbox.url))`.
 */
export function youtubeTestEnv(sandboxUrl: string): Record<string, string> {
  return {
    YOUTUBE_CLIENT_ID: '204918273645-hallmonitor.apps.googleusercontent.com',
    YOUTUBE_CLIENT_SECRET: 'GOCSPX-sandbox-youtube-secret',
    YOUTUBE_API_BASE_URL: sandboxUrl,
    YOUTUBE_OAUTH_BASE_URL: `${sandboxUrl}/google-oauth`,
  };
}
