import {
  type GeneratedComment,
  runTraffic,
  type TrafficHandle,
  type TrafficTarget,
} from '../core/traffic-generator.js';
import type { YouTubeState } from './state.js';

// The traffic generator's YouTube end: each school is a channel. A "reply" is a top-level comment
// on one of the channel's recent videos, a "thread" reply answers a comment there (YouTube threads
// one level deep), and a mention or an "elsewhere" comment — YouTube has no mentions a channel can
// read — becomes a top-level comment too. About one comment in ten with a link or from a new
// account arrives held for review, as YouTube's default filter holds them. Works on a sandbox in
// this process or over HTTP through /sandbox/youtube/.

export interface YouTubeTrafficOptions {
  /** a running sandbox's URL, or the YouTube state in the same process */
  sandbox: string | YouTubeState;
  /** channel ids or handles */
  accounts: string[];
  ratePerSecond: number;
  seed?: number;
  replyShare?: number;
  ownPostEvery?: number;
  openingPosts?: number;
}

export interface YouTubeOps {
  channelId(ref: string): Promise<string>;
  videos(channelId: string): Promise<string[]>;
  createVideo(channelId: string, title: string): Promise<{ id: string }>;
  comment(on: string, from: string, text: string, held: boolean): Promise<{ id: string }>;
}

export function stateOps(state: YouTubeState): YouTubeOps {
  return {
    async channelId(ref) {
      return state.requireChannel(ref).id;
    },
    async videos(channelId) {
      return state.videosOf(channelId).map((v) => v.id);
    },
    async createVideo(channelId, title) {
      return state.createVideo({ channel: channelId, title });
    },
    async comment(on, from, text, held) {
      return state.addComment({ on, from, text, ...(held ? { moderationStatus: 'heldForReview' } : {}) });
    },
  };
}

export function httpOps(base: string): YouTubeOps {
  const send = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/sandbox/youtube${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    async channelId(ref) {
      return (await send<{ id: string }>(`/channels/${encodeURIComponent(ref)}`)).id;
    },
    async videos(channelId) {
      return (await send<{ videos: string[] }>(`/channels/${encodeURIComponent(channelId)}`)).videos;
    },
    createVideo: (channelId, title) => send('/videos', { channel: channelId, title }),
    comment: (on, from, text, held) =>
      send('/comments', { on, from, text, ...(held ? { moderationStatus: 'heldForReview' } : {}) }),
  };
}

export function startYouTubeTraffic(options: YouTubeTrafficOptions): TrafficHandle {
  const { sandbox, ...rest } = options;
  const ops = typeof sandbox === 'string' ? httpOps(sandbox) : stateOps(sandbox);
  return runTraffic({ ...rest, target: youtubeTarget(ops, options.accounts) });
}

const RECENT = 5;

export function youtubeTarget(ops: YouTubeOps, accounts: readonly string[]): TrafficTarget {
  const channels = new Map<string, string>();
  const videos = new Map<string, string[]>();
  const threads = new Map<string, { id: string; from: string }[]>();

  async function channel(ref: string): Promise<string> {
    let id = channels.get(ref);
    if (id === undefined) {
      id = await ops.channelId(ref);
      channels.set(ref, id);
    }
    return id;
  }

  return {
    recentPosts(account) {
      const id = channels.get(account);
      return id === undefined ? [] : (videos.get(id) ?? []).slice(-RECENT);
    },
    async prepare() {
      for (const account of accounts) {
        const id = await channel(account);
        let list = await ops.videos(id);
        if (list.length === 0) list = [(await ops.createVideo(id, 'Welcome to our school')).id];
        videos.set(id, list);
      }
    },
    async schoolPost(account, text) {
      const id = await channel(account);
      const video = await ops.createVideo(id, text.slice(0, 100));
      videos.set(id, [...(videos.get(id) ?? []), video.id]);
    },
    async post(comment: GeneratedComment) {
      const id = await channel(comment.to);
      const recent = (videos.get(id) ?? []).slice(-RECENT);
      const video = comment.inReplyTo ?? recent[recent.length - 1];
      if (video === undefined) return;
      const from = comment.fromName;
      const held = /https?:\/\/|www\./.test(comment.text) || comment.category === 'spam';
      const answering =
        comment.placement === 'thread'
          ? (threads.get(video) ?? []).filter((c) => c.from !== from).slice(-3)[0]
          : undefined;
      const posted = await ops
        .comment(answering?.id ?? video, from, comment.text, held)
        .catch(() => ops.comment(video, from, comment.text, held));
      const list = threads.get(video) ?? [];
      if (answering === undefined) list.push({ id: posted.id, from });
      threads.set(video, list.slice(-20));
    },
  };
}
