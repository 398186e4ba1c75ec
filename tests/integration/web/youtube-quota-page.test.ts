import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addQuotaUnits } from '../../../services/accounts/account-quota.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { youtubeTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

// The account page shows a YouTube account's admins the day's quota: what was spent, what is kept
// for moderation, how often it is polled, and when the quota comes back. Others do not see it.

let t: TestDatabase;
let api: TestApp;
let a: Awaited<ReturnType<typeof staffScene>>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, { configOverrides: youtubeTestEnv('http://127.0.0.1:1') });
  a = await staffScene(t.db);
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

async function page(userId: string, accountId: string) {
  const session = await signIn(t.db, userId);
  const res = await api.app.inject({ url: `/accounts/${accountId}`, headers: session.headers });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('the YouTube quota on the account page', () => {
  it("shows the account's admins the day's use, the reserve, the polling and the reset", async () => {
    const account = await createAccount(t.db, {
      schoolId: a.school.id,
      platform: 'youtube',
      handle: 'oakfieldprimary',
      platformUserId: 'UCoakfieldPrimarySchool0',
      adminIds: [a.adminA.id, a.adminB.id],
    });
    await addQuotaUnits(t.db, account.id, 1_234);
    const html = await page(a.adminA.id, account.id);
    expect(html).toContain('YouTube quota today');
    expect(html).toMatch(/1,234 units of this account(’|'|&#39;)s 10,000 units/);
    expect(html).toContain('3,000 units: polling stops before it');
    expect(html).toMatch(/every \d+ (seconds|minutes), to last until the reset/);
    expect(html).toContain('(midnight Pacific time)');

    // Spent down to the reserve: polling is paused, moderation still has its units.
    await addQuotaUnits(t.db, account.id, 6_000);
    expect(await page(a.adminB.id, account.id)).toContain('Paused until the quota resets');

    // Comms staff who are not its admins see the account, not its quota.
    expect(await page(a.comms.id, account.id)).not.toContain('YouTube quota today');
  });

  it('an X account has no quota section', async () => {
    const account = await createAccount(t.db, {
      schoolId: a.school.id,
      adminIds: [a.adminA.id, a.adminB.id],
    });
    expect(await page(a.adminA.id, account.id)).not.toContain('quota today');
  });
});
