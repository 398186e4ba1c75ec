import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sealCredentials } from '../services/accounts/account-credentials.js';
import { systemContext } from '../services/core/service-context.js';
import { pollAccount } from '../services/ingestion/poll-account.js';
import type { Credentials, PlatformName } from '../services/platforms/adapter.js';
import { signInWithAppPassword } from '../services/platforms/bluesky/bluesky-client.js';
import { createAdapterFactory } from '../services/platforms/create-adapter-factory.js';
import { createAccount, createSchool } from '../tests/helpers/factories.js';
import { metaTestEnv, testConfig, youtubeTestEnv } from '../tests/helpers/test-config.js';
import { createBenchDatabase } from './bench-database.js';
import type { BenchRow } from './bench-result.js';

// The CPU one poll of an account with nothing new costs the worker, per platform, through the
// production path (pollAccount: the account row, its lease, the adapter's calls to the platform,
// the cursor and the round's update), and from it how many such accounts one worker core can poll
// every 60 s. The sandbox runs in a process of its own, so its CPU is not counted; Postgres's is not
// either (it is another process): this is the worker's share.

const POLLS = Number(process.env.BENCH_POLLS ?? 200);
const WARMUP = 20;

async function startSandboxProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
  });
  return { url, child };
}

function adminClient(base: string) {
  return async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${base}/sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`sandbox ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}

interface BenchAccount {
  platform: PlatformName;
  handle: string;
  platformUserId: string;
  credentials: Credentials;
}

/** One account per platform with a little history (so the idle poll has something behind its cursor). */
async function setUp(post: ReturnType<typeof adminClient>, base: string): Promise<BenchAccount[]> {
  const x = await post<{ id: string; username: string }>('/accounts', { username: 'bench_school' });
  const xToken = await post<{ accessToken: string; refreshToken: string; expiresAt: number }>('/tokens', {
    user: x.id,
    ttlSeconds: 86_400,
  });
  for (let i = 0; i < 10; i += 1) {
    await post('/comments', { from: `parent_${i}`, text: `@bench_school question ${i}`, to: 'bench_school' });
  }

  await post('/meta/usage', { app: 1e9, user: 1e9, page: 1e9 });
  const page = await post<{ id: string; igUserId: string }>('/meta/pages', {
    name: 'Bench Primary',
    admins: ['Bench Head'],
    instagram: { username: 'bench_primary' },
  });
  const fbPost = await post<{ id: string }>('/meta/posts', { page: page.id, message: 'Sports day' });
  const media = await post<{ id: string }>('/meta/media', { owner: page.igUserId, caption: 'Sports day' });
  for (let i = 0; i < 10; i += 1) {
    await post('/meta/comments', { on: fbPost.id, from: `Parent ${i}`, text: `comment ${i}` });
    await post('/meta/comments', { on: media.id, from: `parent_${i}`, text: `comment ${i}` });
  }
  const pageToken = await post<{ accessToken: string }>('/meta/tokens', { page: page.id });

  await post('/youtube/quota', { limit: 1e9 });
  const channel = await post<{ id: string; handle: string }>('/youtube/channels', {
    title: 'Bench Primary',
    handle: '@benchprimary',
    owner: 'Bench Head',
  });
  const video = await post<{ id: string }>('/youtube/videos', { channel: channel.id, title: 'Nativity' });
  for (let i = 0; i < 10; i += 1) {
    await post('/youtube/comments', { on: video.id, from: `Parent ${i}`, text: `comment ${i}` });
  }
  const ytToken = await post<{ accessToken: string; refreshToken: string; expiresAt: string }>(
    '/youtube/tokens',
    { channel: channel.id, ttlSeconds: 86_400 },
  );

  // Bluesky: the school's thread with replies; the idle poll is one listNotifications call.
  const bsky = await post<{ did: string; appPassword: string }>('/bluesky/actors', {
    handle: 'benchprimary.bsky.social',
    appPassword: '',
  });
  await post('/bluesky/actors', { handle: 'parent1.bsky.social' });
  const root = await post<{ uri: string }>('/bluesky/posts', {
    author: 'benchprimary.bsky.social',
    text: 'Sports day',
  });
  for (let i = 0; i < 10; i += 1) {
    await post('/bluesky/posts', { author: 'parent1.bsky.social', text: `Reply ${i}`, replyTo: root.uri });
  }
  const bskySession = await signInWithAppPassword(base, 'benchprimary.bsky.social', bsky.appPassword);

  return [
    {
      platform: 'x',
      handle: 'bench_school',
      platformUserId: x.id,
      credentials: {
        accessToken: xToken.accessToken,
        refreshToken: xToken.refreshToken,
        expiresAt: new Date(xToken.expiresAt),
      },
    },
    {
      platform: 'facebook',
      handle: 'Bench Primary',
      platformUserId: page.id,
      credentials: { accessToken: pageToken.accessToken },
    },
    {
      platform: 'instagram',
      handle: 'bench_primary',
      platformUserId: page.igUserId,
      credentials: { accessToken: pageToken.accessToken },
    },
    {
      platform: 'youtube',
      handle: 'benchprimary',
      platformUserId: channel.id,
      credentials: {
        accessToken: ytToken.accessToken,
        refreshToken: ytToken.refreshToken,
        expiresAt: new Date(ytToken.expiresAt),
      },
    },
    {
      platform: 'bluesky',
      handle: 'benchprimary.bsky.social',
      platformUserId: bskySession.did,
      credentials: bskySession.credentials,
    },
  ];
}

export async function benchPollCost(): Promise<BenchRow[]> {
  const { url, child } = await startSandboxProcess();
  const bench = await createBenchDatabase(5);
  try {
    const post = adminClient(url);
    const config = testConfig({
      ...metaTestEnv(url),
      ...youtubeTestEnv(url),
      X_API_BASE_URL: url,
      BLUESKY_SERVICE_URL: url,
    });
    const deps = {
      encryptionKey: config.encryptionKey,
      adapterFor: createAdapterFactory(config),
      onInserted: async () => {},
    };
    const school = await createSchool(bench.db);
    const ctx = systemContext(bench.db, 'bench poller');
    const rows: BenchRow[] = [];
    for (const account of await setUp(post, url)) {
      const row = await createAccount(bench.db, {
        schoolId: school.id,
        platform: account.platform,
        handle: account.handle,
        platformUserId: account.platformUserId,
        credentialsEncrypted: sealCredentials(config.encryptionKey, account.credentials),
      });
      // Prime: the first poll reads the history; the rest find nothing new.
      const first = await pollAccount(ctx, { accountId: row.id }, deps);
      if (first.status !== 'polled') throw new Error(`${account.platform}: the first poll ${first.status}`);
      const poll = async () => {
        const result = await pollAccount(ctx, { accountId: row.id }, deps);
        if (result.status !== 'polled' || result.inserted !== 0) {
          throw new Error(`${account.platform}: an idle poll answered ${JSON.stringify(result)}`);
        }
      };
      for (let i = 0; i < WARMUP; i += 1) await poll();
      let cpuMicros = 0;
      const began = performance.now();
      for (let i = 0; i < POLLS; i += 1) {
        // X's windows (75 mentions reads per 15 minutes) are the sandbox's to enforce, not this loop's.
        if (i % 50 === 0) await post('/rate-limits/reset', {});
        const before = process.cpuUsage();
        await poll();
        const used = process.cpuUsage(before);
        cpuMicros += used.user + used.system;
      }
      const wallMs = (performance.now() - began) / POLLS;
      const cpuMs = cpuMicros / 1000 / POLLS;
      const perCore = Math.floor(60_000 / cpuMs);
      rows.push({
        name: `idle poll, ${account.platform}`,
        figures: {
          'worker CPU ms/poll': Number(cpuMs.toFixed(2)),
          'wall ms/poll': Number(wallMs.toFixed(1)),
          'accounts per core per 60 s': perCore,
        },
        figure: `${cpuMs.toFixed(2)} ms CPU/poll → ${perCore.toLocaleString('en-GB')} accounts per core every 60 s`,
        target: 'thousands of accounts per core',
        pass: perCore >= 1_000,
      });
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await bench.drop();
  }
}
