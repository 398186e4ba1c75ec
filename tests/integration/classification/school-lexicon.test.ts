import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import {
  auditEntries,
  auditPersonalData,
  comments,
  escalations,
  notifications,
  rosterEntries,
} from '../../../db/schema/index.js';
import { buildApp } from '../../../services/api/build-app.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { createProducerRedis } from '../../../services/core/redis-connections.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let config: Config;
let app: FastifyInstance;
let redis: ReturnType<typeof createProducerRedis>;
/** Everything the API logged, at every level. */
const logLines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  config = testConfig();
  redis = createProducerRedis(config.redisUrl);
  const stream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = await buildApp(config, { db: t.db, redis, logger: { level: 'trace', stream } });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await clearRedisPrefix(config.redisPrefix);
  await t.drop();
});

async function scene() {
  const school = await createSchool(t.db, { name: 'Hilltop Primary' });
  const role = (r: 'trust_admin' | 'senior_leader' | 'comms' | 'safeguarding_lead' | 'auditor') =>
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: r }] });
  const [trustAdmin, senior, comms, dsl, auditor] = await Promise.all([
    role('trust_admin'),
    role('senior_leader'),
    role('comms'),
    role('safeguarding_lead'),
    role('auditor'),
  ]);
  const admin = await createUser(t.db, { trustId: school.trustId });
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [admin.id] });
  const other = await createSchool(t.db);
  const outsider = await createUser(t.db, {
    trustId: other.trustId,
    roles: [{ schoolId: other.id, role: 'trust_admin' }],
  });
  return { school, trustAdmin, senior, comms, dsl, auditor, admin, account, outsider };
}

async function call(userId: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const { headers } = await signIn(t.db, userId);
  return app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** A worker process's own cache: it never hears about API changes except through the database. */
const workerClassifiers = () => new SchoolClassifierCache(config.encryptionKey);

async function ingest(
  cache: SchoolClassifierCache,
  s: { school: { id: string }; account: { id: string } },
  text: string,
) {
  const comment = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id, text });
  await processComment(systemContext(t.db, 'test processing'), { commentId: comment.id }, [
    ...createProcessingSteps({ classifiers: cache }),
  ]);
  const [row] = await t.db.select().from(comments).where(eq(comments.id, comment.id));
  return row!;
}

describe("a school's own terms and allow-list", () => {
  it('an added term flags the next comment in a worker whose cache was already warm; removing it stops', async () => {
    const s = await scene();
    const worker = workerClassifiers();
    // A sentence the learned model finds ordinary, so only the school's term can flag it.
    const before = await ingest(worker, s, 'The gribbleface stall at the fair was great fun');
    expect(before.categories).toEqual([]);

    const added = await call(s.senior.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
      kind: 'term',
      term: 'gribbleface',
      category: 'offensive',
      subcategory: 'insult',
      severity: 'high',
    });
    expect(added.statusCode).toBe(201);
    const entry = added.json();
    expect(entry).toMatchObject({
      kind: 'term',
      term: 'gribbleface',
      category: 'offensive',
      severity: 'high',
    });

    const after = await ingest(worker, s, 'The GR1BBLEFACE stall at the fair was great fun');
    expect(after.categories).toEqual(['offensive']);
    const label = after.labels.find((l) => l.category === 'offensive')!;
    expect(label).toMatchObject({ subcategory: 'insult', severity: 'high' });
    expect(after.text.slice(label.spans[0]![0], label.spans[0]![1])).toBe('GR1BBLEFACE');
    const flagged = await t.db.select().from(notifications).where(eq(notifications.userId, s.admin.id));
    expect(flagged.map((n) => n.event)).toEqual(['comment.flagged']);

    // Comms may read the list; the same term twice is a conflict.
    const listed = await call(s.comms.id, 'GET', `/api/schools/${s.school.id}/lexicon`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().entries.map((e: { term: string }) => e.term)).toEqual(['gribbleface']);
    const again = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
      kind: 'term',
      term: 'Gribbleface',
      category: 'offensive',
      severity: 'low',
    });
    expect(again.statusCode).toBe(409);

    const removed = await call(s.trustAdmin.id, 'DELETE', `/api/schools/${s.school.id}/lexicon/${entry.id}`);
    expect(removed.statusCode).toBe(200);
    expect((await ingest(worker, s, 'what a gribbleface')).categories).toEqual([]);

    const audit = await t.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.action, 'school.lexicon_changed'));
    expect(
      audit.filter((a) => a.schoolId === s.school.id).map((a) => (a.details as { change: string }).change),
    ).toEqual(['added', 'removed']);
  });

  it('an allow-list entry stops a flag and leaves the word it contains flagged', async () => {
    const s = await scene();
    const worker = workerClassifiers();
    expect((await ingest(worker, s, 'Lovely walk to Cockshutt church today')).categories).toEqual([
      'offensive',
    ]);
    const res = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
      kind: 'allow',
      term: 'Cockshutt',
    });
    expect(res.statusCode).toBe(201);
    expect((await ingest(worker, s, 'Lovely walk to Cockshutt church today')).categories).toEqual([]);
    expect((await ingest(worker, s, 'you are a b1tch')).categories).toEqual(['offensive']);
  });

  it('refuses an allow-list entry that would silence a safeguarding concern or a threat, and allows swearing', async () => {
    const s = await scene();
    for (const term of ['kill myself', 'bring a knife to school', 'touches me']) {
      const res = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
        kind: 'allow',
        term,
      });
      expect(res.statusCode, term).toBe(400);
      expect(res.json().message, term).toMatch(/cannot be allowed/);
    }
    const worker = workerClassifiers();
    expect((await ingest(worker, s, 'i want to kill myself')).categories).toContain('safeguarding');
    const twatt = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
      kind: 'allow',
      term: 'Twatt',
    });
    expect(twatt.statusCode).toBe(201);
  });

  it('refuses comms, auditors and safeguarding leads a change (403), and another school (404)', async () => {
    const s = await scene();
    const body = { kind: 'allow', term: 'Scunthorpe United' };
    for (const user of [s.comms, s.auditor, s.dsl, s.admin]) {
      const res = await call(user.id, 'POST', `/api/schools/${s.school.id}/lexicon`, body);
      expect(res.statusCode).toBe(403);
    }
    expect((await call(s.auditor.id, 'GET', `/api/schools/${s.school.id}/lexicon`)).statusCode).toBe(403);
    expect((await call(s.outsider.id, 'POST', `/api/schools/${s.school.id}/lexicon`, body)).statusCode).toBe(
      404,
    );
    expect((await call(s.outsider.id, 'GET', `/api/schools/${s.school.id}/lexicon`)).statusCode).toBe(404);
    const mine = await call(s.senior.id, 'POST', `/api/schools/${s.school.id}/lexicon`, body);
    expect(
      (await call(s.outsider.id, 'DELETE', `/api/schools/${s.school.id}/lexicon/${mine.json().id}`))
        .statusCode,
    ).toBe(404);
    const bad = await call(s.senior.id, 'POST', `/api/schools/${s.school.id}/lexicon`, {
      kind: 'term',
      term: 'x',
      category: 'offensive',
      severity: 'high',
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('the pupil roster', () => {
  const csv = [
    'First name,Last name,Year group/class',
    'Ellie,Marchbanks,Year 4',
    '"Zara-Jane",O\'Donnell,6B',
    'Tomasz,Wiśniewski,Oak',
  ].join('\r\n');

  it('a pupil named in a comment is escalated as safeguarding; the name stays out of logs and the audit log', async () => {
    const s = await scene();
    const worker = workerClassifiers();
    expect((await ingest(worker, s, 'Ellie Marchbanks was crying at the gate')).categories).toEqual([]);

    const imported = await call(s.dsl.id, 'POST', `/api/schools/${s.school.id}/roster`, { csv });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ imported: 3, duplicates: 0, total: 3 });
    // Stored encrypted: no name in the row.
    const stored = await t.db.select().from(rosterEntries).where(eq(rosterEntries.schoolId, s.school.id));
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toMatch(/Marchbanks|Ellie/);

    const named = await ingest(worker, s, 'Ellie Marchbanks was crying at the gate');
    expect(named.categories).toContain('safeguarding');
    expect(named.labels.find((l) => l.category === 'safeguarding')).toMatchObject({
      subcategory: 'pupil_named',
      severity: 'high',
    });
    const firstAndYear = await ingest(worker, s, 'is ellie in yr 4 ok? she looked upset');
    expect(firstAndYear.categories).toContain('safeguarding');
    const raised = await t.db.select().from(escalations).where(eq(escalations.commentId, named.id));
    expect(raised).toMatchObject([{ kind: 'safeguarding' }]);
    const dslNotes = await t.db.select().from(notifications).where(eq(notifications.userId, s.dsl.id));
    expect(dslNotes.some((n) => n.event === 'escalation.safeguarding' && n.urgency === 'urgent')).toBe(true);

    // Appending the same pupils again adds nobody.
    const again = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/roster`, {
      csv: 'Ellie,Marchbanks,Year 4\nSam,Okafor,3',
    });
    expect(again.json()).toMatchObject({ imported: 1, duplicates: 1, total: 4 });

    const list = await call(s.dsl.id, 'GET', `/api/schools/${s.school.id}/roster`);
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const { entries } = list.json();
    expect(entries.map((e: { lastName: string }) => e.lastName)).toEqual([
      'Marchbanks',
      "O'Donnell",
      'Okafor',
      'Wiśniewski',
    ]);
    expect(entries.find((e: { lastName: string }) => e.lastName === 'Wiśniewski')).toMatchObject({
      firstName: 'Tomasz',
      className: 'Oak',
    });

    // Removing the pupil stops the escalation at the next comment.
    const ellie = entries.find((e: { firstName: string }) => e.firstName === 'Ellie');
    const removed = await call(s.dsl.id, 'POST', `/api/schools/${s.school.id}/roster/remove`, {
      ids: [ellie.id],
    });
    expect(removed.json()).toEqual({ removed: 1 });
    expect((await ingest(worker, s, 'Ellie Marchbanks was crying at the gate')).categories).toEqual([]);

    // Nowhere in clear: not in the API's logs, the audit chain, its personal data, or notifications.
    const rosterAudit = await t.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.action, 'school.roster_changed'));
    expect(rosterAudit.map((a) => a.details)).toEqual([
      expect.objectContaining({ change: 'imported', imported: 3, total: 3 }),
      expect.objectContaining({ change: 'imported', imported: 1, duplicates: 1, total: 4 }),
      expect.objectContaining({ change: 'removed', removed: 1, entryIds: [ellie.id] }),
    ]);
    const everything = JSON.stringify([
      await t.db.select().from(auditEntries),
      await t.db.select().from(auditPersonalData),
      await t.db.select().from(notifications),
      await t.db.select().from(escalations),
    ]);
    const logs = logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const name of ['Marchbanks', "O'Donnell", 'Wiśniewski', 'Okafor']) {
      expect(everything).not.toContain(name);
      expect(logs).not.toContain(name);
    }
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('only safeguarding leads and trust admins import, list or remove; another school is 404', async () => {
    const s = await scene();
    for (const user of [s.senior, s.comms, s.auditor, s.admin]) {
      expect((await call(user.id, 'POST', `/api/schools/${s.school.id}/roster`, { csv })).statusCode).toBe(
        403,
      );
      expect((await call(user.id, 'GET', `/api/schools/${s.school.id}/roster`)).statusCode).toBe(403);
      expect(
        (await call(user.id, 'POST', `/api/schools/${s.school.id}/roster/remove`, { all: true })).statusCode,
      ).toBe(403);
    }
    expect((await call(s.outsider.id, 'GET', `/api/schools/${s.school.id}/roster`)).statusCode).toBe(404);
    expect(
      (await call(s.outsider.id, 'POST', `/api/schools/${s.school.id}/roster`, { csv })).statusCode,
    ).toBe(404);
    // The refusals did not leak anything and imported nothing.
    expect(await t.db.select().from(rosterEntries).where(eq(rosterEntries.schoolId, s.school.id))).toEqual(
      [],
    );
  });

  it('refuses a file with unreadable rows by row number, without echoing names, and imports nothing', async () => {
    const s = await scene();
    const res = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/roster`, {
      csv: 'Ellie,Marchbanks,4\nPriyanka\n<script>,Evil,5',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([
      { row: 2, reason: 'needs a first name and a last name' },
      { row: 3, reason: expect.stringMatching(/characters other than letters/) },
    ]);
    expect(res.body).not.toContain('Priyanka');
    expect(await t.db.select().from(rosterEntries).where(eq(rosterEntries.schoolId, s.school.id))).toEqual(
      [],
    );
  });
});
