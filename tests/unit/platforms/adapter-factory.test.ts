import { describe, expect, it } from 'vitest';
import { isPlatformError, type PlatformError } from '../../../services/platforms/adapter.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { metaTestEnv, testConfig } from '../../helpers/test-config.js';

const credentials = { accessToken: 'token' };
const noRefresh = async () => {};

function refusal(build: () => unknown): PlatformError {
  try {
    build();
  } catch (error) {
    if (isPlatformError(error)) return error;
    throw error;
  }
  throw new Error('expected the factory to refuse');
}

describe('adapter factory', () => {
  it('builds an X adapter for an X account', () => {
    const factory = createAdapterFactory(testConfig());
    const adapter = factory(
      { id: 'a', platform: 'x', platformUserId: '42', handle: 'oakfield' },
      credentials,
      noRefresh,
    );
    expect(adapter.platform).toBe('x');
    adapter.close();
  });

  it('refuses a Facebook or Instagram account when Meta is not configured, naming what to set', () => {
    const factory = createAdapterFactory(testConfig());
    for (const platform of ['facebook', 'instagram'] as const) {
      const error = refusal(() =>
        factory({ id: 'a', platform, platformUserId: '42', handle: 'oakfield' }, credentials, noRefresh),
      );
      expect(error.kind).toBe('unsupported');
      expect(error.reason).toMatch(
        /is off: META_APP_ID, META_APP_SECRET, META_WEBHOOK_VERIFY_TOKEN are not set/,
      );
    }
  });

  it('builds Facebook and Instagram adapters when Meta is configured', () => {
    const factory = createAdapterFactory(testConfig(metaTestEnv('http://127.0.0.1:1')));
    for (const platform of ['facebook', 'instagram'] as const) {
      const adapter = factory(
        { id: 'a', platform, platformUserId: '42', handle: 'oakfield' },
        credentials,
        noRefresh,
      );
      expect(adapter.platform).toBe(platform);
      adapter.close();
    }
  });

  it('builds a Bluesky adapter with no configuration at all (BLUESKY_SERVICE_URL defaults to bsky.social)', () => {
    expect(testConfig().bluesky.serviceUrl).toBe('https://bsky.social');
    const factory = createAdapterFactory(testConfig({ BLUESKY_SERVICE_URL: 'http://127.0.0.1:1/' }));
    const adapter = factory(
      { id: 'a', platform: 'bluesky', platformUserId: 'did:plc:abc', handle: 'oakfield.bsky.social' },
      credentials,
      noRefresh,
    );
    expect(adapter.platform).toBe('bluesky');
    expect(adapter.capabilities.hide).toBe(true);
    adapter.close();
  });

  it('refuses platforms Hallmonitor has no adapter for, whatever the config', () => {
    const factory = createAdapterFactory(testConfig(metaTestEnv('http://127.0.0.1:1')));
    for (const platform of ['youtube'] as const) {
      const error = refusal(() =>
        factory({ id: 'a', platform, platformUserId: '42', handle: 'oakfield' }, credentials, noRefresh),
      );
      expect(error.kind).toBe('unsupported');
      expect(error.reason).toMatch(/cannot connect YouTube accounts yet/);
    }
  });

  it('an account never connected is an auth problem, not a crash', () => {
    const factory = createAdapterFactory(testConfig());
    const error = refusal(() =>
      factory({ id: 'a', platform: 'x', platformUserId: null, handle: 'oakfield' }, credentials, noRefresh),
    );
    expect(error.kind).toBe('auth');
  });
});
