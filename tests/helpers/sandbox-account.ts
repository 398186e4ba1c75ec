import type { Config } from '../../config/load-config.js';
import type { Database } from '../../db/client.js';
import type { Sandbox } from '../../sandbox/server.js';
import type { SandboxUser } from '../../sandbox/x/state.js';
import { sealCredentials } from '../../services/accounts/account-credentials.js';
import { createAccount } from './factories.js';

/**
 * A school's X account in the database, connected to an account on the sandbox X server with a
 * real token (as the connect flow would leave it).
 */
export async function connectSandboxAccount(
  db: Database,
  sandbox: Sandbox,
  config: Config,
  values: {
    schoolId: string;
    username: string;
    adminIds?: string[];
    status?: 'active' | 'connected' | 'suspended';
    settings?: Parameters<typeof createAccount>[1]['settings'];
  },
): Promise<{ account: Awaited<ReturnType<typeof createAccount>>; user: SandboxUser; accessToken: string }> {
  const user = sandbox.state.createAccount({ username: values.username });
  const issued = sandbox.state.issueToken(user.id, { clientId: config.x.clientId, ttlSeconds: 3_600 });
  const account = await createAccount(db, {
    schoolId: values.schoolId,
    handle: user.username,
    platformUserId: user.id,
    status: values.status ?? 'active',
    credentialStatus: 'valid',
    credentialsEncrypted: sealCredentials(config.encryptionKey, {
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      expiresAt: issued.expiresAt,
    }),
    ...(values.adminIds ? { adminIds: values.adminIds } : {}),
    ...(values.settings ? { settings: values.settings } : {}),
  });
  return { account, user, accessToken: issued.accessToken };
}
