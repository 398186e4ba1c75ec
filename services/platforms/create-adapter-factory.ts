import { type Config, META_REQUIRED_VARIABLES, type MetaConfig } from '../../config/load-config.js';
import { type PlatformAdapter, PlatformError, type PlatformName } from './adapter.js';
import type { AdapterFactory } from './adapter-factory.js';
import { createBlueskyAdapter } from './bluesky/index.js';
import { createFacebookPageAdapter, createInstagramAdapter, type MetaAdapterOptions } from './meta/index.js';
import { platformDisplayName, platformProfile } from './platform-profiles.js';
import { createXAdapter } from './x/x-adapter.js';

type Build = (...args: Parameters<AdapterFactory>) => PlatformAdapter;

/**
 * The platforms this deployment can reach, dispatched on the account's platform. A platform whose
 * configuration is missing, or that Hallmonitor has no adapter for, answers 'unsupported' saying
 * which; it is never silently skipped.
 */
export function createAdapterFactory(config: Pick<Config, 'x' | 'meta' | 'bluesky'>): AdapterFactory {
  const builders: { readonly [P in PlatformName]: Build | string } = {
    x: (account, credentials, onCredentialsRefreshed) =>
      createXAdapter({
        credentials,
        clientId: config.x.clientId,
        ...(config.x.clientSecret ? { clientSecret: config.x.clientSecret } : {}),
        ...(config.x.apiBaseUrl ? { apiBaseUrl: config.x.apiBaseUrl } : {}),
        onCredentialsRefreshed,
        account: { platformUserId: account.platformUserId ?? '', handle: account.handle },
      }),
    facebook: config.meta
      ? metaBuild(config.meta, createFacebookPageAdapter)
      : `Facebook is off: ${META_REQUIRED_VARIABLES.join(', ')} are not set`,
    instagram: config.meta
      ? metaBuild(config.meta, createInstagramAdapter)
      : `Instagram is off: ${META_REQUIRED_VARIABLES.join(', ')} are not set`,
    youtube: 'Hallmonitor cannot connect YouTube accounts yet',
    bluesky: (account, credentials, onCredentialsRefreshed) =>
      createBlueskyAdapter({
        serviceUrl: config.bluesky.serviceUrl,
        credentials,
        onCredentialsRefreshed,
        account: { platformUserId: account.platformUserId ?? '', handle: account.handle },
      }),
  };
  return (account, credentials, onCredentialsRefreshed) => {
    const build = builders[account.platform];
    if (typeof build === 'string' || !platformProfile(account.platform).supported) {
      const reason =
        typeof build === 'string' ? build : `${platformDisplayName(account.platform)} is not supported`;
      throw new PlatformError('unsupported', reason, { reason });
    }
    if (!account.platformUserId) {
      throw new PlatformError('auth', 'the account has not been connected to the platform');
    }
    return build(account, credentials, onCredentialsRefreshed);
  };
}

/** Facebook Pages and Instagram: a long-lived Page token, which does not refresh (a revoked one is 'auth'). */
function metaBuild(meta: MetaConfig, create: (options: MetaAdapterOptions) => PlatformAdapter): Build {
  return (account, credentials) =>
    create({
      credentials,
      appSecret: meta.appSecret,
      graphBaseUrl: meta.graphBaseUrl,
      graphVersion: meta.graphVersion,
      account: { platformUserId: account.platformUserId ?? '', handle: account.handle },
    });
}
