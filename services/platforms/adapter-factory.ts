import type { SocialAccount } from '../../db/schema/index.js';
import type { Credentials, OnCredentialsRefreshed, PlatformAdapter } from './adapter.js';

/** Builds the adapter for one account; the composition root decides which platforms exist. */
export type AdapterFactory = (
  account: Pick<SocialAccount, 'id' | 'platform' | 'platformUserId' | 'handle'>,
  credentials: Credentials,
  onCredentialsRefreshed: OnCredentialsRefreshed,
) => PlatformAdapter;
