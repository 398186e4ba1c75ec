// What each platform is, without opening a connection to it: its name as people read it, what its
// API lets Hallmonitor do, how long a reply may be, in which order a notice and a hide go out, and
// how an account connects. The UI, the action rules and the connect flow read this registry;
// adapters declare the same capabilities (an adapter may narrow them, e.g. an X enterprise app
// widens block). Nothing in the product names a platform except through here.

import type { Capabilities, CapabilityName, PlatformName } from './adapter.js';

/** How a person connects an account of this platform to Hallmonitor. */
export type ConnectMethod =
  /** OAuth 2.0 authorization code with PKCE (X) */
  | { readonly kind: 'oauth2-pkce' }
  /**
   * Facebook Login: the person signs in to Facebook, then picks one of the Pages they administer
   * ('pages') or the Instagram business account linked to one of them ('instagram-business-accounts').
   */
  | { readonly kind: 'facebook-login'; readonly picker: 'pages' | 'instagram-business-accounts' }
  /** the account's handle and an app password made for Hallmonitor in the platform's settings (Bluesky) */
  | { readonly kind: 'app-password' };

/** How an account's stored credentials stay usable. */
export type CredentialLifetime =
  /** short-lived access token renewed with a refresh token; a refused refresh means reconnect */
  | { readonly renewal: 'refresh-token' }
  /** a token that does not expire on its own but can be revoked; revoked means reconnect */
  | { readonly renewal: 'reconnect'; readonly note: string };

/**
 * 'reply-then-hide': the public notice is a reply to the comment, sent before the comment is hidden
 * (the default). 'notice-first': the platform refuses a reply to a hidden comment (Instagram), so
 * the notice must be on the platform before the hide; if the hide has already happened the notice
 * goes on the post instead.
 */
export type NoticeOrder = 'reply-then-hide' | 'notice-first';

export interface PlatformProfile {
  readonly platform: PlatformName;
  /** 'X', 'Facebook', 'Instagram', 'YouTube', 'Bluesky' */
  readonly displayName: string;
  /** false: Hallmonitor has no adapter for it yet (accounts can be proposed, never connected) */
  readonly supported: boolean;
  readonly capabilities: Capabilities;
  /** how account names are written: '@oakfield' (handle) or 'Oakfield Primary' (a Page's name) */
  readonly accountName: 'handle' | 'name';
  /** the longest reply the platform accepts, in characters */
  readonly maxReplyChars: number;
  /** the longest private reply (a message) the platform accepts, where Hallmonitor sends one */
  readonly maxPrivateReplyChars?: number;
  /** the longest public notice Hallmonitor drafts; never more than maxReplyChars */
  readonly maxNoticeChars: number;
  readonly noticeOrder: NoticeOrder;
  /**
   * How the school can message a commenter privately on this platform (P9: "privately where the
   * platform allows"), done in the platform's own app; null where it cannot, so it asks publicly.
   */
  readonly privateMessage: string | null;
  /** whether its adapter can tell that someone else's comment is gone (P9's read-back on poll) */
  readonly readsRemoval: boolean;
  /** true: the platform pushes new comments by webhook, and polling is the backstop */
  readonly webhooks: boolean;
  readonly connect: ConnectMethod;
  readonly credentials: CredentialLifetime;
  /** what the platform calls a comment it holds back until the account approves it, where it does */
  readonly heldForReview?: string;
  /** what the platform calls turning comments off on a post, where its API can */
  readonly turnOffComments?: string;
}

/** "Held for review by YouTube": a comment its platform holds back until the account approves it. */
export function heldByPlatformText(platform: string): string {
  const held = isPlatformName(platform) ? PROFILES[platform].heldForReview : undefined;
  return `${held ?? 'Held for review'} by ${platformDisplayName(platform)}`;
}

const CAPABILITY_OFF = {
  fetch: false,
  reply: false,
  hide: false,
  unhide: false,
  delete: false,
  deleteOwnPost: false,
  block: false,
  unblock: false,
  mute: false,
  unmute: false,
  report: false,
  readHidden: false,
  readMuted: false,
  readBlocked: false,
  holdForReview: false,
  turnOffComments: false,
} as const satisfies { readonly [K in CapabilityName]: false };

/** X API v2. `enterprise`: an enterprise-tier app may also block and read blocks. */
export function xCapabilities(enterprise: boolean): Capabilities {
  const blockNote = 'X offers blocking through its API to enterprise-tier apps only; block in the X app';
  return {
    ...CAPABILITY_OFF,
    fetch: true,
    reply: true,
    hide: true,
    unhide: true,
    deleteOwnPost: true,
    block: enterprise,
    unblock: enterprise,
    mute: true,
    unmute: true,
    readMuted: true,
    readBlocked: enterprise,
    notes: {
      delete:
        'X lets an account delete only its own posts; hide the reply instead, or report it in the X app',
      hide: 'only replies in conversations the account started',
      unhide: 'only replies in conversations the account started',
      ...(enterprise ? {} : { block: blockNote, unblock: blockNote, readBlocked: blockNote }),
      report: 'X API v2 has no endpoint to report a post; report it in the X app',
      // Hiding is idempotent on X, so the caller's action state machine is the record of hidden-ness.
      readHidden: 'X API v2 cannot say whether a reply is hidden; the action record is the source of truth',
      holdForReview: 'X does not hold replies for review',
      turnOffComments:
        'X API v2 can limit who may reply only when a post is created; change it on the post in the X app',
    },
  };
}

/** Facebook Page through the Graph API: comments and visitor posts on the Page. */
export function facebookCapabilities(): Capabilities {
  return {
    ...CAPABILITY_OFF,
    fetch: true,
    reply: true,
    hide: true,
    unhide: true,
    delete: true,
    deleteOwnPost: true,
    block: true,
    unblock: true,
    readHidden: true,
    readBlocked: true,
    notes: {
      block: 'bans the person from the Page',
      unblock: 'lifts the person’s ban from the Page',
      mute: 'Facebook has no mute for a Page; hide the comment, or ban the person from the Page',
      unmute: 'Facebook has no mute for a Page',
      readMuted: 'Facebook has no mute for a Page',
      report: 'the Graph API has no endpoint to report a comment; report it in Facebook',
      holdForReview:
        'the Graph API cannot release comments Facebook holds back; review them in Meta Business Suite',
      turnOffComments: 'the Graph API cannot turn off comments on a Page post; do it on the post in Facebook',
    },
  };
}

/** Instagram business account through the Graph API (tokens through its linked Facebook Page). */
export function instagramCapabilities(): Capabilities {
  const blockNote = 'Instagram’s API cannot block; do it in the Instagram app and record it';
  return {
    ...CAPABILITY_OFF,
    fetch: true,
    reply: true,
    hide: true,
    unhide: true,
    delete: true,
    deleteOwnPost: true,
    readHidden: true,
    turnOffComments: true,
    notes: {
      reply: 'Instagram refuses a reply to a hidden comment, and replies only to top-level comments',
      block: blockNote,
      unblock: blockNote,
      readBlocked: blockNote,
      mute: 'Instagram’s API cannot mute or restrict a person; do it in the Instagram app',
      unmute: 'Instagram’s API cannot mute or restrict a person; do it in the Instagram app',
      readMuted: 'Instagram’s API cannot read who is muted',
      report: 'Instagram’s API has no endpoint to report a comment; report it in the Instagram app',
      holdForReview: 'Instagram’s API cannot release comments it holds back; review them in the app',
    },
  };
}

/** Bluesky through @atproto/api: notifications in, posts, the threadgate, blocks, mutes and reports out. */
export function blueskyCapabilities(): Capabilities {
  return {
    ...CAPABILITY_OFF,
    fetch: true,
    reply: true,
    hide: true,
    unhide: true,
    deleteOwnPost: true,
    block: true,
    unblock: true,
    mute: true,
    unmute: true,
    report: true,
    readHidden: true,
    readMuted: true,
    readBlocked: true,
    notes: {
      hide: 'only replies in threads the account started, at most 300 per thread (the threadgate’s hidden replies)',
      unhide: 'only replies in threads the account started',
      delete:
        'Bluesky lets an account delete only its own posts; hide the reply (in the school’s own threads), mute or block the person, or report it',
      report: 'goes to Bluesky’s moderation service',
      holdForReview: 'Bluesky does not hold replies for review',
      turnOffComments: 'choose who can reply on the post in the Bluesky app',
    },
  };
}

/** YouTube through the Data API v3: comments on the channel's videos, moderated by status. */
export function youtubeCapabilities(): Capabilities {
  const studio = 'do it in YouTube Studio and record it';
  return {
    ...CAPABILITY_OFF,
    fetch: true,
    reply: true,
    hide: true,
    unhide: true,
    delete: true,
    deleteOwnPost: true,
    block: true,
    readHidden: true,
    holdForReview: true,
    notes: {
      hide: 'holds the comment for review: it leaves the video until the channel publishes it again',
      unhide: 'publishes a comment held for review',
      delete: 'rejects the comment: YouTube removes it from the video',
      block: 'rejects the comment and bans its author from the channel (banAuthor)',
      unblock: `the Data API cannot lift a ban; ${studio}`,
      mute: `YouTube has no mute for a channel; hide the author's comments in YouTube Studio instead`,
      unmute: 'YouTube has no mute for a channel',
      readMuted: 'YouTube has no mute for a channel',
      readBlocked: 'the Data API cannot list the authors a channel has banned',
      report: `the Data API has no endpoint to report a comment; report it on YouTube`,
      turnOffComments: `the Data API cannot turn comments off on a video; ${studio}`,
    },
  };
}

const PROFILES: { readonly [P in PlatformName]: PlatformProfile } = {
  x: {
    platform: 'x',
    displayName: 'X',
    supported: true,
    capabilities: xCapabilities(false),
    accountName: 'handle',
    maxReplyChars: 280,
    maxNoticeChars: 280,
    noticeOrder: 'reply-then-hide',
    privateMessage:
      'X lets the account send a direct message only to someone who accepts messages from it (they follow the school, or allow messages from anyone); otherwise ask publicly',
    readsRemoval: true,
    webhooks: false,
    connect: { kind: 'oauth2-pkce' },
    credentials: { renewal: 'refresh-token' },
  },
  facebook: {
    platform: 'facebook',
    displayName: 'Facebook',
    supported: true,
    capabilities: facebookCapabilities(),
    accountName: 'name',
    maxReplyChars: 8_000,
    // A private reply is a Messenger message: the Send API takes at most 2,000 characters.
    maxPrivateReplyChars: 2_000,
    // A notice is read under the comment: kept to a paragraph whatever the platform allows.
    maxNoticeChars: 1_000,
    noticeOrder: 'reply-then-hide',
    privateMessage:
      'Facebook lets a Page send one private reply to a comment, in Messenger, within 7 days of the comment',
    readsRemoval: true,
    webhooks: true,
    connect: { kind: 'facebook-login', picker: 'pages' },
    credentials: {
      renewal: 'reconnect',
      note: 'a Page token from a long-lived sign-in does not expire, but stops working when the person loses the Page role, changes their Facebook password or removes the app',
    },
  },
  instagram: {
    platform: 'instagram',
    displayName: 'Instagram',
    supported: true,
    capabilities: instagramCapabilities(),
    accountName: 'handle',
    maxReplyChars: 2_200,
    maxNoticeChars: 1_000,
    noticeOrder: 'notice-first',
    privateMessage:
      'Instagram lets a business account send one private reply to a comment, in Direct messages, within 7 days of the comment',
    readsRemoval: true,
    webhooks: true,
    connect: { kind: 'facebook-login', picker: 'instagram-business-accounts' },
    credentials: {
      renewal: 'reconnect',
      note: 'reached through the linked Facebook Page’s token, which stops working when the Page is disconnected or the person loses the Page role',
    },
    turnOffComments: 'Turn off commenting',
  },
  youtube: {
    platform: 'youtube',
    displayName: 'YouTube',
    supported: true,
    capabilities: youtubeCapabilities(),
    accountName: 'handle',
    maxReplyChars: 10_000,
    maxNoticeChars: 1_000,
    noticeOrder: 'reply-then-hide',
    privateMessage: null,
    readsRemoval: false,
    webhooks: false,
    connect: { kind: 'oauth2-pkce' },
    credentials: { renewal: 'refresh-token' },
    heldForReview: 'Held for review',
  },
  bluesky: {
    platform: 'bluesky',
    displayName: 'Bluesky',
    supported: true,
    capabilities: blueskyCapabilities(),
    accountName: 'handle',
    maxReplyChars: 300,
    maxNoticeChars: 300,
    noticeOrder: 'reply-then-hide',
    privateMessage:
      'Bluesky lets the account send a chat message only to someone who accepts messages from it; otherwise ask publicly',
    readsRemoval: false,
    webhooks: false,
    connect: { kind: 'app-password' },
    credentials: {
      renewal: 'reconnect',
      note: 'signs in with an app password; the session renews itself, and stops when the app password is revoked in Bluesky’s settings',
    },
  },
};

export const PLATFORM_NAMES = Object.keys(PROFILES) as [PlatformName, ...PlatformName[]];

export function platformProfile(platform: PlatformName): PlatformProfile {
  return PROFILES[platform];
}

export function platformProfiles(): readonly PlatformProfile[] {
  return PLATFORM_NAMES.map((p) => PROFILES[p]);
}

export function isPlatformName(value: string): value is PlatformName {
  return Object.hasOwn(PROFILES, value);
}

/** 'X', 'Facebook', …: how the platform is named to people (an unknown name is shown as it is). */
export function platformDisplayName(platform: string): string {
  return isPlatformName(platform) ? PROFILES[platform].displayName : platform;
}

/** "@oakfield" on X and Instagram, "Oakfield Primary" for a Facebook Page. */
export function accountDisplayName(platform: PlatformName, handle: string): string {
  return PROFILES[platform].accountName === 'handle' ? `@${handle}` : handle;
}
