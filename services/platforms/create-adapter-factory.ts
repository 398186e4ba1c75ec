import type { Config } from '../../config/load-config.js';
import { PlatformError } from './adapter.js';
import type { AdapterFactory } from './adapter-factory.js';
import { createXAdapter } from './x/x-adapter.js';

/** The platforms this deployment can reach. Facebook, Instagram and YouTube plug in here. */
export function createAdapterFactory(config: Pick<Config, 'x'>): AdapterFactory {
  return (account, credentials, onCredentialsRefreshed) => {
    if (account.platform !== 'x') {
      throw new PlatformError('unsupported', `${account.platform} accounts are not supported yet`);
    }
    if (!account.platformUserId) {
      throw new PlatformError('auth', 'the account has not been connected to the platform');
    }
    return createXAdapter({
      credentials,
      clientId: config.x.clientId,
      ...(config.x.clientSecret ? { clientSecret: config.x.clientSecret } : {}),
      ...(config.x.apiBaseUrl ? { apiBaseUrl: config.x.apiBaseUrl } : {}),
      onCredentialsRefreshed,
      account: { platformUserId: account.platformUserId, handle: account.handle },
    });
  };
}
