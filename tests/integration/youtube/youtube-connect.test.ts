import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socialAccounts } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { openCredentials } from '../../../services/accounts/account-credentials.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { youtubeTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

// Connecting a YouTube channel: Connect on the account, Google's consent page (the sandbox's),
// where the person chooses one of their channels, and the callback that stores the tokens only
// when the chosen channel is the approved one.

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let schoolId: string;
let trustId: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: youtubeTestEnv(sandbox.url) });
  const school = await createSchool(t.db);
  schoolId = school.id;
  trustId = school.trustId;
});
afterAll(async () => {
  await api?.close();
  await sandbox?.close();
  await t.drop();
});

async function approvedAccount() {
  n += 1;
  const y = sandbox.youtube.state;
  const owner = `Head ${n}`;
  const channel = y.createChannel({ title: `Oakfield ${n}`, handle: `@oakfield${n}`, owner });
  y.createVideo({ channel: channel.id, title: 'Nativity' });
  const other = y.createChannel({ title: `Head's vlog ${n}`, handle: `@headsvlog${n}`, owner });
  y.createVideo({ channel: other.id, title: 'Holiday' });
  const admin = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
  const account = await createAccount(t.db, {
    schoolId,
    platform: 'youtube',
    handle: `oakfield${n}`,
    status: 'approved',
    credentialStatus: 'none',
    adminIds: [admin.id],
  });
  await t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, account.id));
  const { headers } = await signIn(t.db, admin.id);
  return { channel, other, account, headers, owner: y.person(owner)! };
}

async function consentAs(headers: Record<string, string>, accountId: string, pick: Record<string, string>) {
  const started = await api.app.inject({
    method: 'POST',
    url: `/api/accounts/${accountId}/connect`,
    headers,
  });
  expect(started.statusCode, started.body).toBe(200);
  const authorizeUrl = new URL(started.json().authorizeUrl);
  expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${sandbox.youtube.oauthUrl}/o/oauth2/v2/auth`);
  expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizeUrl.searchParams.get('access_type')).toBe('offline');
  expect(authorizeUrl.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/youtube.force-ssl');
  for (const [key, value] of Object.entries(pick)) authorizeUrl.searchParams.set(key, value);
  const atGoogle = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(atGoogle.status).toBe(302);
  const back = new URL(atGoogle.headers.get('location')!);
  expect(back.pathname).toBe('/api/accounts/connect/callback');
  return api.app.inject({ url: `${back.pathname}${back.search}`, headers });
}

describe('connecting a YouTube channel', () => {
  it('the consent page offers the person their channels to choose from', async () => {
    const { account, headers, channel, other } = await approvedAccount();
    const started = await api.app.inject({
      method: 'POST',
      url: `/api/accounts/${account.id}/connect`,
      headers,
    });
    const page = await fetch(started.json().authorizeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`Choose ${channel.title}`);
    expect(html).toContain(`Choose Head&#39;s vlog`);
    expect(other.id).not.toBe(channel.id);
  });

  it('choosing the approved channel stores its tokens, encrypted, and the account is connected', async () => {
    const { account, headers, channel, owner } = await approvedAccount();
    const done = await consentAs(headers, account.id, {
      sandbox_user: owner.id,
      sandbox_channel: channel.id,
    });
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe(`/accounts/${account.id}?connected=new`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(row).toMatchObject({ status: 'connected', platformUserId: channel.id, credentialStatus: 'valid' });
    const credentials = openCredentials(api.config.encryptionKey, row!.credentialsEncrypted!);
    expect(sandbox.youtube.state.accessRecord(credentials.accessToken)?.channelId).toBe(channel.id);
    expect(sandbox.youtube.state.tokens.get(credentials.refreshToken!)?.kind).toBe('refresh');
  });

  it('choosing another of their channels is refused and nothing is stored', async () => {
    const { account, headers, other, owner } = await approvedAccount();
    const done = await consentAs(headers, account.id, { sandbox_user: owner.id, sandbox_channel: other.id });
    expect(done.headers.location).toBe(`/accounts/${account.id}?connect_error=wrong_handle`);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(row).toMatchObject({ status: 'approved', platformUserId: null, credentialsEncrypted: null });
  });

  it('declining at Google connects nothing', async () => {
    const { account, headers } = await approvedAccount();
    const done = await consentAs(headers, account.id, { sandbox_deny: '1' });
    expect(done.headers.location).toMatch(new RegExp(`^/accounts/${account.id}\\?connect_error=`));
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(row?.status).toBe('approved');
  });
});
