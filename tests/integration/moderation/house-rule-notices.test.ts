import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  comments,
  moderationActions,
  notificationPreferences,
} from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { parseSchoolCalendar } from '../../../services/deadlines/school-calendar.js';
import { addWorkingMinutes } from '../../../services/moderation/flag-target.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { moderationScene, runAction } from './moderation-fixture.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: { X_API_BASE_URL: sandbox.url } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});
afterEach(() => sandbox.faults.reset());

const scene = () => moderationScene(t.db, sandbox, api.config);

async function send(method: 'POST' | 'PUT' | 'GET', userId: string, url: string, payload?: unknown) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) });
}

async function proposedDetails(actionId: string) {
  const [row] = await t.db
    .select({ details: auditEntries.details })
    .from(auditEntries)
    .where(and(eq(auditEntries.subjectId, actionId), eq(auditEntries.action, 'action.proposed')));
  return row!.details as Record<string, unknown>;
}

const hide = { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insults staff' };

describe('P3: the audience is told exactly why, citing the house rule by name', () => {
  it('a hide with nothing said about a notice posts one after the hide, naming the rule and linking the house rules', async () => {
    const s = await scene();
    const set = await send('PUT', s.senior.id, `/api/schools/${s.school.id}/reply-policy`, {
      houseRulesUrl: 'https://oakfield.example/house-rules',
    });
    expect(set.statusCode).toBe(200);
    const res = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, hide);
    expect(res.statusCode).toBe(201);
    const { action } = res.json();
    expect(action.noticeText).toBe(
      'We have hidden a reply because it broke our house rule “Be respectful: no abusive, offensive or harassing language”. Our house rules: https://oakfield.example/house-rules',
    );
    expect(await proposedDetails(action.id)).toMatchObject({
      hasNotice: true,
      houseRule: { id: 'be_respectful' },
    });
    await runAction(t.db, api.config, action.id);
    const [notice] = await t.db
      .select()
      .from(moderationActions)
      .where(and(eq(moderationActions.commentId, s.comment.id), eq(moderationActions.kind, 'notice')));
    expect(await runAction(t.db, api.config, notice!.id)).toMatchObject({ status: 'succeeded' });
    const posted = sandbox.state.tweetsBy(s.sandboxUser.id).map((tw) => tw.text);
    expect(posted).toContainEqual(expect.stringContaining('broke our house rule “Be respectful'));
  });

  it('the wording matches the action: removed for a delete, blocked for a block; the admin may pick the rule', async () => {
    const s = await scene();
    const del = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'delete',
      reasonCategory: 'personal_information',
      reasonText: 'posts a phone number',
    });
    expect(del.json().action.noticeText).toBe(
      'We have removed a reply because it broke our house rule “No personal information about anyone”.',
    );
    const block = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'block',
      reasonCategory: 'harassment',
      reasonText: 'third abusive reply today',
      notice: true,
      houseRule: 'no_discrimination',
    });
    expect(block.json().action.noticeText).toBe(
      'We have blocked an account because it broke our house rule “No discriminatory comments”.',
    );
    const mute = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'mute',
      reasonCategory: 'spam',
      reasonText: 'spam',
    });
    expect(mute.json().action.noticeText).toBeNull();
    const unknownRule = await send('POST', s.adminB.id, `/api/comments/${s.comment.id}/actions`, {
      ...hide,
      houseRule: 'no_such_rule',
    });
    expect(unknownRule.statusCode).toBe(400);
    expect(unknownRule.json().message).toContain('no house rule "no_such_rule"');
  });

  it('an admin may choose no notice; that choice is audited', async () => {
    const s = await scene();
    const res = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      ...hide,
      notice: false,
    });
    expect(res.json().action.noticeText).toBeNull();
    expect(await proposedDetails(res.json().action.id)).toMatchObject({
      hasNotice: false,
      noticeDeclined: true,
    });
  });

  it('the school edits its house rules and wording; the next notice uses them; a wording too long for X is refused', async () => {
    const s = await scene();
    const set = await send('PUT', s.senior.id, `/api/schools/${s.school.id}/reply-policy`, {
      houseRules: [{ id: 'be_respectful', name: 'Be kind to one another' }],
      noticeWording: {
        hidden: '{school} hid a reply: it broke “{rule}”.',
        removed: '{school} removed a reply: it broke “{rule}”.',
        blocked: '{school} blocked an account: it broke “{rule}”.',
      },
    });
    expect(set.statusCode).toBe(200);
    const res = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      ...hide,
      reasonCategory: 'spam',
    });
    // The spam rule is gone: the notice cites the school's first rule.
    expect(res.json().action.noticeText).toBe(
      `${s.school.name} hid a reply: it broke “Be kind to one another”.`,
    );

    const long = await send('PUT', s.senior.id, `/api/schools/${s.school.id}/reply-policy`, {
      houseRules: [{ id: 'be_respectful', name: 'x'.repeat(80) }],
      noticeWording: {
        hidden: `${'We have hidden this. '.repeat(12)}{rule}`,
        removed: 'removed “{rule}”',
        blocked: 'blocked “{rule}”',
      },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/hide notice .* is too long: .* allows 280/);

    const byComms = await send('PUT', s.comms.id, `/api/schools/${s.school.id}/reply-policy`, {
      signOff: 'off',
    });
    expect(byComms.statusCode).toBe(403);
    const other = await moderationScene(t.db, sandbox, api.config);
    const otherSchool = await send('PUT', s.senior.id, `/api/schools/${other.school.id}/reply-policy`, {
      signOff: 'off',
    });
    expect(otherSchool.statusCode).toBe(404);
    const hostile = await send('PUT', s.senior.id, `/api/schools/${s.school.id}/reply-policy`, {
      houseRulesUrl: 'javascript:alert(1)',
    });
    expect(hostile.statusCode).toBe(400);
  });

  it("a parent's 'please remove it' notice is refused once the comment is hidden", async () => {
    const s = await scene();
    const hid = await send('POST', s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      ...hide,
      notice: false,
    });
    await runAction(t.db, api.config, hid.json().action.id);
    const res = await send('POST', s.adminB.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'notice',
      reasonCategory: 'offensive',
      reasonText: 'a parent',
      noticeTemplate: 'parent_remove_and_talk',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain('already hidden or removed');
  });
});

describe('P3: offensive flags have a handling target and cannot be muted', () => {
  it('one working hour by default: a flag at 16:30 on a Friday is due 08:30 on Monday', () => {
    const calendar = parseSchoolCalendar({});
    expect(addWorkingMinutes(new Date('2026-12-04T16:30:00Z'), 60, calendar).toISOString()).toBe(
      '2026-12-07T08:30:00.000Z',
    );
    expect(addWorkingMinutes(new Date('2026-12-07T10:00:00Z'), 60, calendar).toISOString()).toBe(
      '2026-12-07T11:00:00.000Z',
    );
    expect(addWorkingMinutes(new Date('2026-12-05T23:00:00Z'), 90, calendar).toISOString()).toBe(
      '2026-12-07T09:30:00.000Z',
    );
  });

  it('the Flags list gives each flag its handle-by time from the school setting, and says when it is overdue', async () => {
    const s = await scene();
    const flaggedAt = new Date(Date.now() - 5 * 24 * 3_600_000);
    await t.db
      .update(comments)
      .set({
        categories: ['offensive'],
        labels: [
          {
            category: 'offensive',
            subcategory: 'insult',
            severity: 'medium',
            confidence: 0.9,
            source: 'lexicon',
            spans: [],
          },
        ] as never,
        processedAt: flaggedAt,
      })
      .where(eq(comments.id, s.comment.id));
    await send('PUT', s.senior.id, `/api/schools/${s.school.id}/reply-policy`, {
      offensiveFlagTargetMinutes: 120,
    });
    const res = await send('GET', s.adminA.id, '/api/flags');
    const flag = res.json().flagged.find((f: { id: string }) => f.id === s.comment.id);
    expect(flag).toMatchObject({ targetMinutes: 120, overdue: true });
    expect(new Date(flag.handleBy).getTime()).toBeGreaterThan(flaggedAt.getTime());
    const page = await send('GET', s.adminA.id, '/flags');
    expect(page.body).toContain('Past its handling target');
    expect(page.body).toContain('within 2 working hours');
  });

  it("nobody switches off offensive-flag notifications on their own accounts; a stored 'off' is ignored", async () => {
    const s = await scene();
    const off = await send('PUT', s.adminA.id, '/api/me/notification-preferences', {
      preferences: [{ event: 'comment.flagged', email: false }],
    });
    expect(off.statusCode).toBe(400);
    expect(off.json().message).toContain('cannot be switched off');
    const autoHidden = await send('PUT', s.adminA.id, '/api/me/notification-preferences', {
      preferences: [{ event: 'comment.auto_hidden', inApp: false }],
    });
    expect(autoHidden.statusCode).toBe(400);
    const digest = await send('PUT', s.adminA.id, '/api/me/notification-preferences', {
      preferences: [{ event: 'comment.flagged', digest: true }],
    });
    expect(digest.statusCode, digest.body).toBe(200);
    await t.db
      .update(notificationPreferences)
      .set({ enabled: false })
      .where(
        and(
          eq(notificationPreferences.userId, s.adminA.id),
          eq(notificationPreferences.event, 'comment.flagged'),
        ),
      );
    const view = await send('GET', s.adminA.id, '/api/me/notification-preferences');
    const flagged = view.json().events.find((e: { event: string }) => e.event === 'comment.flagged');
    expect(flagged).toMatchObject({ mustStayOn: true, inApp: true, email: true, digest: true });
  });
});
