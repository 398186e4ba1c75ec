import type { BlueskyState, BskyActor, BskyNotification, RepoRecord } from './state.js';
import { POST } from './state.js';

// The AppView's JSON for actors, posts and notifications, in the shapes of the app.bsky lexicons
// (which @atproto/api checks every answer against).

export function profileBasic(state: BlueskyState, actor: BskyActor, viewer: string | null) {
  return {
    did: actor.did,
    handle: actor.handle,
    displayName: actor.displayName,
    labels: [],
    createdAt: actor.createdAt.toISOString(),
    ...(viewer === null ? {} : { viewer: viewerState(state, actor, viewer) }),
  };
}

export function profileView(state: BlueskyState, actor: BskyActor, viewer: string | null) {
  return { ...profileBasic(state, actor, viewer), indexedAt: actor.createdAt.toISOString() };
}

export function profileDetailed(state: BlueskyState, actor: BskyActor, viewer: string | null) {
  const posts = state.postsBy(actor.did).length;
  return { ...profileView(state, actor, viewer), followersCount: 0, followsCount: 0, postsCount: posts };
}

function viewerState(state: BlueskyState, actor: BskyActor, viewer: string) {
  const blocking = state.blockOf(viewer, actor.did);
  return {
    muted: state.mutesOf(viewer).has(actor.did),
    blockedBy: state.blockOf(actor.did, viewer) !== undefined,
    ...(blocking ? { blocking: blocking.uri } : {}),
  };
}

export function postView(state: BlueskyState, record: RepoRecord, viewer: string | null) {
  const author = state.actors.get(record.did);
  const replies = [...state.records.values()].filter(
    (r) =>
      !r.deleted &&
      r.collection === POST &&
      (r.value.reply as { parent?: { uri?: string } } | undefined)?.parent?.uri === record.uri,
  ).length;
  const gate = state.threadgateOf(record.uri);
  return {
    uri: record.uri,
    cid: record.cid,
    author: author
      ? profileBasic(state, author, viewer)
      : { did: record.did, handle: 'handle.invalid', labels: [] },
    record: record.value,
    replyCount: replies,
    repostCount: 0,
    likeCount: 0,
    quoteCount: 0,
    indexedAt: record.indexedAt.toISOString(),
    labels: [],
    ...(gate ? { threadgate: { uri: gate.uri, cid: gate.cid, record: gate.value, lists: [] } } : {}),
  };
}

export function notificationView(state: BlueskyState, n: BskyNotification, viewer: string) {
  const record = state.records.get(n.uri);
  const author = record ? state.actors.get(record.did) : undefined;
  const base = {
    uri: n.uri,
    cid: record?.cid ?? '',
    author: author ? profileView(state, author, viewer) : undefined,
    reason: n.reason,
    ...(n.reasonSubject === undefined ? {} : { reasonSubject: n.reasonSubject }),
    record: record?.value ?? {},
    isRead: false,
    indexedAt: n.indexedAt.toISOString(),
    labels: [],
  };
  return n.raw === undefined ? base : { ...base, ...n.raw };
}
