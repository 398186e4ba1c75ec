import { eq } from 'drizzle-orm';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  escalations,
  moderationActions,
  parentRequests,
  responses,
  socialAccounts,
} from '../../../db/schema/index.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * Every staff page, walked for a hostile comment whose author's name, handle and text carry
 * direction overrides (U+202E, U+202D) and isolates (U+2066, a stray U+2069): each character of
 * that kind must sit inside an isolating element (`<bdi>`, or an element with `dir`) that holds
 * one piece of public text and nothing else, so it cannot reorder the page around it. Pages are
 * found from the registered routes, so a new page is walked without anyone adding it here (one
 * with a path parameter fails until it is given a URL below).
 */

const NAME = 'Eve \u202Eevol htiw\u202C Mallory';
const HANDLE = 'eve\u2069\u202Ednah';
const TEXT = 'you idiot \u202Ekcab sdrawkcab\u202C I am scared to go home \u2066ltr\u202D end';
const SECOND = 'still here \u202Ereven\u202C you idiot';
/** A platform's error message is public text too: the platform may echo the comment. */
const PLATFORM_ERROR = 'X answered 403: \u202Edettimrep ton';
const POLL_ERROR = 'X answered 500: \u202Erorre lanretni';
const PUBLIC = [NAME, HANDLE, TEXT, SECOND, PLATFORM_ERROR, POLL_ERROR];

const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const BIDI_ALL = /[\u202A-\u202E\u2066-\u2069]/g;
const plain = (s: string) => s.replace(BIDI_ALL, '');
/** The public text an isolate holds, if it holds one piece (or a cut of one: an excerpt, a matched word). */
const pieceOf = (content: string) => {
  const bare = plain(content).replace(/…$/, '');
  return PUBLIC.find((p) => bare.length > 0 && plain(p).includes(bare));
};

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const RAW = new Set(['script', 'style', 'textarea', 'title']);

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const k = e.toLowerCase();
    if (k.startsWith('#x')) return String.fromCodePoint(Number.parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(Number.parseInt(k.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[k]!;
  });
}

interface Element {
  tag: string;
  isolating: boolean;
  start: number;
  content: string | null;
}
interface Occurrence {
  text: string;
  path: string;
  isolate: Element | null;
}

/** Every text node and attribute that holds a bidi control, with its nearest isolating element. */
function walk(html: string): { occurrences: Occurrence[]; attributes: string[]; isolates: Element[] } {
  const occurrences: Occurrence[] = [];
  const attributes: string[] = [];
  const isolates: Element[] = [];
  const stack: Element[] = [];
  let buffer = '';
  const onText = (raw: string) => {
    const text = decode(raw);
    buffer += text;
    if (!BIDI.test(text)) return;
    const isolate = [...stack].reverse().find((e) => e.isolating) ?? null;
    occurrences.push({ text, path: stack.map((e) => e.tag).join(' > '), isolate });
  };
  const close = (tag: string) => {
    const at = stack.map((e) => e.tag).lastIndexOf(tag);
    if (at < 0) return;
    for (const e of stack.splice(at)) e.content = buffer.slice(e.start);
  };
  const tagRe =
    /<!--[\s\S]*?-->|<!doctype[^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
  let at = 0;
  for (let m = tagRe.exec(html); m !== null; m = tagRe.exec(html)) {
    onText(html.slice(at, m.index));
    at = m.index + m[0].length;
    if (!m[2]) continue;
    const tag = m[2].toLowerCase();
    const attrs = m[3] ?? '';
    if (m[1]) {
      close(tag);
      continue;
    }
    if (BIDI.test(decode(attrs))) attributes.push(`<${tag}${attrs}>`);
    if (VOID.has(tag) || attrs.trim().endsWith('/')) continue;
    const element: Element = {
      tag,
      isolating: tag === 'bdi' || /\sdir\s*=/.test(attrs),
      start: buffer.length,
      content: null,
    };
    if (element.isolating) isolates.push(element);
    stack.push(element);
    if (RAW.has(tag)) {
      const end = html.toLowerCase().indexOf(`</${tag}`, at);
      onText(html.slice(at, end < 0 ? html.length : end));
      at = end < 0 ? html.length : end;
      tagRe.lastIndex = at;
    }
  }
  onText(html.slice(at));
  for (const e of stack.splice(0)) e.content = buffer.slice(e.start);
  return { occurrences, attributes, isolates };
}

/** What is wrong on a page: public bidi controls outside an isolate, or an isolate holding more. */
function problemsOf(html: string): { problems: string[]; shown: Set<string> } {
  const { occurrences, attributes, isolates } = walk(html);
  const problems = attributes.map((a) => `in an attribute: ${JSON.stringify(a)}`);
  const shown = new Set<string>();
  for (const o of occurrences) {
    if (!o.isolate) {
      problems.push(`not isolated: ${JSON.stringify(o.text)} at ${o.path}`);
      continue;
    }
    const piece = pieceOf(o.isolate.content ?? '');
    if (!piece) problems.push(`isolate holds more than one piece: ${JSON.stringify(o.isolate.content)}`);
    else shown.add(piece);
  }
  for (const e of isolates) {
    const piece = e.content && BIDI.test(e.content) ? pieceOf(e.content) : undefined;
    if (piece) shown.add(piece);
  }
  return { problems, shown };
}

let t: TestDatabase;
let api: TestApp;
let session: SignedIn;
const pages: string[] = [];
let urls: Record<string, string[]>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db, {
    onRoute: (route: RouteOptions) => {
      if (![route.method].flat().includes('GET')) return;
      const url = route.url;
      if (/^\/(api|auth|docs|static|admin|webhooks)(\/|$)/.test(url)) return;
      if (['/healthz', '/readyz', '/metrics', '/login'].includes(url)) return;
      pages.push(url);
    },
  });
  const school = await createSchool(t.db, { name: 'Oakfield Primary' });
  const viewer = await createUser(t.db, {
    trustId: school.trustId,
    displayName: 'Sam Viewer',
    roles: (['comms', 'senior_leader', 'safeguarding_lead', 'auditor', 'trust_admin'] as const).map(
      (role) => ({ schoolId: school.id, role }),
    ),
  });
  const second = await createUser(t.db, {
    trustId: school.trustId,
    displayName: 'Second Admin',
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const account = await createAccount(t.db, {
    schoolId: school.id,
    handle: 'oakfield',
    adminIds: [viewer.id, second.id],
  });
  const hostile = {
    schoolId: school.id,
    accountId: account.id,
    authorName: NAME,
    authorHandle: HANDLE,
    authorExternalId: 'eve-1',
    conversationId: 'conv-1',
  };
  const earlier = await createComment(t.db, {
    ...hostile,
    text: SECOND,
    externalId: 'conv-1',
    postedAt: new Date(Date.now() - 3_600_000),
  });
  const comment = await createComment(t.db, { ...hostile, text: TEXT, inReplyToExternalId: 'conv-1' });
  const cache = new SchoolClassifierCache(api.config.encryptionKey);
  for (const c of [earlier, comment]) {
    await processComment(systemContext(t.db, 'test processing'), { commentId: c.id }, [
      ...createProcessingSteps({ classifiers: cache }),
    ]);
  }
  await t.db.insert(escalations).values({
    schoolId: school.id,
    commentId: comment.id,
    kind: 'senior_leader',
    reason: 'Reported as misuse',
    raisedBy: second.id,
  });
  const [, failedAction] = await t.db
    .insert(moderationActions)
    .values([
      {
        schoolId: school.id,
        accountId: account.id,
        commentId: comment.id,
        kind: 'delete',
        status: 'proposed',
        reasonCategory: 'abusive',
        reasonText: 'Abuse aimed at staff',
        proposedBy: second.id,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
      {
        schoolId: school.id,
        accountId: account.id,
        commentId: comment.id,
        kind: 'hide',
        status: 'failed',
        reasonCategory: 'abusive',
        proposedBy: viewer.id,
        error: PLATFORM_ERROR,
      },
    ])
    .returning();
  // P9: the parent asked to remove it, on the tracking list by name and handle.
  await t.db.insert(parentRequests).values({
    schoolId: school.id,
    accountId: account.id,
    commentId: comment.id,
    contact: 'private',
    requestedBy: second.id,
  });
  await t.db.insert(responses).values({
    schoolId: school.id,
    commentId: comment.id,
    kind: 'public_reply',
    status: 'pending_approval',
    text: 'Thank you, the head will be in touch.',
    actorId: second.id,
  });
  await t.db
    .update(socialAccounts)
    .set({ lastPollError: POLL_ERROR })
    .where(eq(socialAccounts.id, account.id));
  // The Page picker shows Page names and Instagram usernames from Facebook: hostile ones here.
  const page = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'facebook',
    // a proposed handle is letters and digits; it names the Page whose letters and digits it has
    handle: 'EveEvolHtiwMallory',
    status: 'approved',
    credentialStatus: 'none',
    adminIds: [viewer.id, second.id],
  });
  await t.db.update(socialAccounts).set({ platformUserId: null }).where(eq(socialAccounts.id, page.id));
  const picker = await api.app.deps.facebookConnect.pickers.save({
    accountId: page.id,
    userId: viewer.id,
    pages: [
      {
        pageId: '1001',
        name: NAME,
        accessToken: 'page-token',
        tasks: [],
        instagram: { id: '2001', username: HANDLE },
      },
      { pageId: '1002', name: 'Oakfield PTA', accessToken: 'page-token-2', tasks: [], instagram: null },
    ],
  });
  // The Bluesky connect form shows the approved handle (typed by staff, not public text).
  const sky = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'bluesky',
    handle: 'oakfield.bsky.social',
    status: 'approved',
    credentialStatus: 'none',
    adminIds: [viewer.id, second.id],
  });
  session = await signIn(t.db, viewer.id);
  urls = {
    '/comments/:id': [`/comments/${comment.id}`, `/comments/${earlier.id}`],
    '/actions/:id': [`/actions/${failedAction!.id}`],
    '/accounts/:id': [`/accounts/${account.id}`],
    '/accounts/:id/connect/facebook': [`/accounts/${page.id}/connect/facebook?picker=${picker}`],
    '/accounts/:id/connect/bluesky': [`/accounts/${sky.id}/connect/bluesky`],
    '/schools/:schoolId/settings': [`/schools/${school.id}/settings`],
    '/schools/:schoolId/notifications': [`/schools/${school.id}/notifications`],
    '/schools/:schoolId/saved-replies': [`/schools/${school.id}/saved-replies`],
    '/schools/:schoolId/policy': [`/schools/${school.id}/policy`],
    '/audit': ['/audit', `/audit?subjectId=${comment.id}`],
    '/': ['/', '/?status=all'],
  };
}, 60_000);
afterAll(async () => {
  await api?.close();
  await t?.drop();
});

async function render(url: string): Promise<string> {
  let res = await api.app.inject({ url, headers: { cookie: session.headers.cookie } });
  if (res.statusCode === 303 && res.headers.location && !String(res.headers.location).includes('login')) {
    res = await api.app.inject({
      url: String(res.headers.location),
      headers: { cookie: session.headers.cookie },
    });
  }
  expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
  expect(String(res.headers['content-type'])).toContain('text/html');
  return res.body;
}

/** Which pieces of public text each page must show, so the walk cannot pass by showing nothing. */
const MUST_SHOW: Record<string, string[]> = {
  '/': [NAME, HANDLE, TEXT],
  '/comments/:id': [NAME, HANDLE, TEXT, SECOND, PLATFORM_ERROR],
  '/flags': [HANDLE, TEXT, PLATFORM_ERROR],
  '/safeguarding': [HANDLE, TEXT],
  '/escalations': [HANDLE, TEXT],
  '/approvals': [TEXT],
  '/audit': [HANDLE],
  '/accounts': [POLL_ERROR],
  '/accounts/:id': [POLL_ERROR],
  '/accounts/:id/connect/facebook': [NAME, HANDLE],
  '/parent-requests': [NAME, HANDLE],
};

describe('public text on every staff page', () => {
  it('finds the pages from the routes, and knows a URL for each', () => {
    expect(pages).toEqual(expect.arrayContaining(['/', '/comments/:id', '/flags', '/safeguarding']));
    expect(pages.filter((p) => p.includes(':') && !urls[p])).toEqual([]);
  });

  it('isolates each override, isolate and stray isolate end of a hostile comment, its author and handle', async () => {
    const report: Record<string, string[]> = {};
    for (const page of pages) {
      const shown = new Set<string>();
      for (const url of urls[page] ?? [page]) {
        const html = await render(url);
        const found = problemsOf(html);
        if (found.problems.length) report[url] = found.problems;
        for (const p of found.shown) shown.add(p);
      }
      const missing = (MUST_SHOW[page] ?? []).filter((p) => !shown.has(p));
      if (missing.length) report[`${page} (must show)`] = missing.map((m) => JSON.stringify(m));
    }
    expect(report).toEqual({});
  });

  it('the walker itself: an unisolated handle, or a name and handle in one isolate, is a problem', () => {
    expect(problemsOf(`<p>by ${NAME} (@<bdi>${HANDLE}</bdi>)</p>`).problems).toHaveLength(1);
    expect(problemsOf(`<p><bdi>${NAME} (@${HANDLE})</bdi></p>`).problems).toHaveLength(1);
    expect(problemsOf(`<p><bdi>${NAME}</bdi> (@<bdi>${HANDLE}</bdi>)</p>`).problems).toEqual([]);
    expect(problemsOf(`<p title="${HANDLE}">x</p>`).problems).toHaveLength(1);
    expect(problemsOf(`<select><option>${HANDLE}</option></select>`).problems).toHaveLength(1);
  });
});
