import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createComment } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let api: TestApp;
let base: string;
let a: Awaited<ReturnType<typeof staffScene>>;
let b: Awaited<ReturnType<typeof staffScene>>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = api.app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  base = `http://127.0.0.1:${address.port}`;
  a = await staffScene(t.db);
  b = await staffScene(t.db, { trustId: a.school.trustId });
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

/** A comment arriving at a school's account and going through the real `process` pipeline. */
async function arrive(scene: typeof a, text: string) {
  const comment = await createComment(t.db, { schoolId: scene.school.id, accountId: scene.account.id, text });
  const result = await processComment(systemContext(t.db, 'test processing'), { commentId: comment.id }, [
    ...createProcessingSteps({ classifiers: new SchoolClassifierCache(api.config.encryptionKey) }),
  ]);
  expect(result.status).toBe('processed');
  return comment;
}

interface SseEvent {
  event: string;
  id: string;
  data: string;
}

/** Reads a text/event-stream over a real socket, one event at a time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    /** The raw text up to the next blank line (an event, or a comment such as `: connected`). */
    async nextBlock(): Promise<string> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return block;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    /** The next `event:` block, skipping comments and the retry line. */
    async nextEvent(): Promise<SseEvent> {
      for (;;) {
        const block = await this.nextBlock();
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (fields.has('event')) {
          return { event: fields.get('event')!, id: fields.get('id') ?? '', data: fields.get('data') ?? '' };
        }
      }
    },
  };
}

/** Every event up to and including the one for `commentId`. */
async function eventsUntil(stream: ReturnType<typeof eventReader>, commentId: string): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for (;;) {
    const event = await stream.nextEvent();
    seen.push(event);
    if (event.id === commentId) return seen;
  }
}

const schoolsOf = (events: SseEvent[]) => [
  ...new Set(events.map((e) => (JSON.parse(e.data) as { schoolId: string }).schoolId)),
];

describe('GET /api/inbox/events', () => {
  it('needs a signed-in person', async () => {
    const res = await fetch(`${base}/api/inbox/events`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).not.toMatch(/event-stream/);
    await res.body?.cancel();
  });

  it("streams a newly processed comment of the person's school, and never another school's", async () => {
    const session = await signIn(t.db, a.comms.id);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/inbox/events`, {
      headers: { cookie: session.headers.cookie, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const stream = eventReader(res.body!);
      // The stream is open (and subscribed) once its first comment line arrives.
      expect(await stream.nextBlock()).toContain(': connected');

      // The other school's comment is processed first: had it been sent, it would come first.
      const theirs = await arrive(b, 'Other school: when is the summer fair?');
      const ours = await arrive(a, 'Is the <b>school</b> open on the snow day?');

      const events = await eventsUntil(stream, ours.id);
      expect(events.map((e) => e.id)).toEqual([ours.id]);
      expect(events.map((e) => e.id)).not.toContain(theirs.id);
      const event = events[0]!;
      expect(event.event).toBe('comment');
      const item = JSON.parse(event.data) as Record<string, unknown>;
      expect(item).toMatchObject({
        id: ours.id,
        schoolId: a.school.id,
        accountId: a.account.id,
        accountHandle: a.account.handle,
        text: 'Is the <b>school</b> open on the snow day?',
        status: 'open',
      });
      expect(typeof item.deadlineAt).toBe('string');

      // A later poll brings nothing more of the other school: the next event is ours again.
      await arrive(b, 'Other school again');
      const next = await arrive(a, 'Second question for our school');
      const later = await eventsUntil(stream, next.id);
      expect(later.map((e) => e.id)).toEqual([next.id]);
      expect(schoolsOf(later)).toEqual([a.school.id]);
    } finally {
      controller.abort();
    }
  });

  it('gives another school’s person the other comment and not ours', async () => {
    const session = await signIn(t.db, b.comms.id);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/inbox/events`, {
      headers: { cookie: session.headers.cookie },
      signal: controller.signal,
    });
    try {
      const stream = eventReader(res.body!);
      expect(await stream.nextBlock()).toContain(': connected');
      await arrive(a, 'For school A only');
      const theirs = await arrive(b, 'For school B only');
      // Earlier comments of school B may come first (a new stream reaches back a little);
      // nothing of school A ever does.
      const events = await eventsUntil(stream, theirs.id);
      expect(schoolsOf(events)).toEqual([b.school.id]);
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ text: 'For school B only' });
    } finally {
      controller.abort();
    }
  });
});
