import { type Sandbox, type SandboxOptions, startSandbox } from '../../../sandbox/server.js';
import type { IssuedToken, SandboxUser } from '../../../sandbox/x/state.js';
import type { Credentials, PlatformAdapter } from '../../../services/platforms/adapter.js';
import { createXAdapter, type XAdapterOptions } from '../../../services/platforms/x/x-adapter.js';

export const CLIENT_ID = 'hallmonitor-test';

export interface Connected {
  sandbox: Sandbox;
  account: SandboxUser;
  adapter: PlatformAdapter;
  issued: IssuedToken;
  persisted: Credentials[];
}

/** A sandbox with one school account and an adapter connected to it over a real socket. */
export async function connectedSandbox(
  options: { sandbox?: SandboxOptions; adapter?: Partial<XAdapterOptions>; ttlSeconds?: number } = {},
): Promise<Connected> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', ...options.sandbox });
  const account = sandbox.state.createAccount({ username: 'oakfield_primary', name: 'Oakfield Primary' });
  const issued = sandbox.state.issueToken(account.id, {
    clientId: CLIENT_ID,
    ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
  });
  const persisted: Credentials[] = [];
  const adapter = createXAdapter({
    credentials: {
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      expiresAt: issued.expiresAt,
    },
    clientId: CLIENT_ID,
    apiBaseUrl: sandbox.url,
    onCredentialsRefreshed: async (creds) => {
      persisted.push(creds);
    },
    account: { platformUserId: account.id, handle: account.username },
    requestTimeoutMs: 5_000,
    ...options.adapter,
  });
  return { sandbox, account, adapter, issued, persisted };
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
