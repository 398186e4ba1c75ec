import type { ActionKind, Platform } from '../../db/schema/index.js';
import type { HouseRule, NoticeWording, ReplyPolicy } from '../comments/reply-policy.js';
import { platformProfile, platformProfiles } from '../platforms/platform-profiles.js';

/**
 * The public reply that tells the audience why an action was taken (P3): wording that matches the
 * action, the house rule broken cited by its name, and the house rules link when the school has
 * published one. And the parent route of P9: ask them to remove it, invite them to talk, point to
 * the complaints procedure. A notice never names the author or quotes the comment.
 */
export const NOTICE_TEMPLATES = {
  house_rule: { title: 'Which house rule it broke (hidden, removed or blocked)' },
  parent_remove_and_talk: { title: 'Parent: please remove it, let us talk, complaints procedure' },
} as const;

export type NoticeTemplateId = keyof typeof NOTICE_TEMPLATES;
export const NOTICE_TEMPLATE_IDS = Object.keys(NOTICE_TEMPLATES) as [NoticeTemplateId, ...NoticeTemplateId[]];

/** The actions a house-rule notice can follow, and the word it uses for each. */
export const NOTICE_WORDING_FOR: Partial<Record<ActionKind, NoticeWording>> = {
  hide: 'hidden',
  delete: 'removed',
  block: 'blocked',
};

/** Hide and delete tell the audience why by default (P3); block only when the admin asks. */
export const NOTICE_BY_DEFAULT: ReadonlySet<ActionKind> = new Set(['hide', 'delete']);

/**
 * The longest notice on any platform, the bound on the request; each account's platform has its own
 * limit (platformProfile(p).maxNoticeChars: 280 on X), checked against the account acted on.
 */
export const MAX_NOTICE_CHARS = Math.max(...platformProfiles().map((p) => p.maxNoticeChars));

/**
 * The most characters a notice may have on a platform, from its profile; with no platform known
 * (a school's wording, saved for every account), the smallest any platform allows.
 */
export function noticeLengthLimit(platform?: Platform): number {
  if (platform) return platformProfile(platform).maxNoticeChars;
  return Math.min(...platformProfiles().map((p) => p.maxNoticeChars));
}

export function houseRuleNotice(
  policy: Pick<ReplyPolicy, 'noticeWording' | 'houseRulesUrl'> & { school: string },
  wording: NoticeWording,
  rule: HouseRule,
): string {
  const text = policy.noticeWording[wording]
    .replaceAll('{rule}', rule.name)
    .replaceAll('{school}', policy.school)
    .trim();
  return policy.houseRulesUrl && !text.includes(policy.houseRulesUrl)
    ? `${text} Our house rules: ${policy.houseRulesUrl}`
    : text;
}

/**
 * P9 (002 §5 Parents/Carers): ask the parent to remove the comment and invite them to talk —
 * privately where the platform lets the school message them, publicly otherwise — with the
 * complaints procedure. Only ever posted while the comment is still up.
 */
export function parentNotice(
  policy: Pick<ReplyPolicy, 'complaintsUrl'> & { school: string },
  canMessagePrivately: boolean,
): string {
  const talk = canMessagePrivately
    ? 'We have sent you a private message so we can talk about your concerns.'
    : 'We would like to talk about your concerns: please contact the school office.';
  const complaints = policy.complaintsUrl
    ? ` Our complaints procedure: ${policy.complaintsUrl}`
    : ` You can also use ${policy.school}'s complaints procedure.`;
  return `We would ask you to remove this comment. ${talk}${complaints}`;
}

/**
 * P9 by private message (where the platform allows one): the same request, sent by a member of
 * staff in the platform's own app; Hallmonitor drafts it and records that it was sent.
 */
export function parentPrivateMessage(
  policy: Pick<ReplyPolicy, 'complaintsUrl'> & { school: string },
): string {
  const complaints = policy.complaintsUrl
    ? ` If you would like to make a complaint, our complaints procedure is here: ${policy.complaintsUrl}`
    : ` If you would like to make a complaint, please ask the school office for ${policy.school}'s complaints procedure.`;
  return `Thank you for getting in touch. We would ask you to remove your comment on our page, and we would like to talk with you about your concerns in person: please contact the school office to arrange a time.${complaints}`;
}

/** Why a notice is too long for the platform (or, with none given, for the strictest), or null. */
export function noticeTooLong(text: string, platform?: Platform): string | null {
  const limit = noticeLengthLimit(platform);
  if (text.length <= limit) return null;
  if (platform)
    return `The notice is ${text.length} characters; a notice on ${platformProfile(platform).displayName} may be at most ${limit}`;
  const strictest = platformProfiles().find((p) => p.maxNoticeChars === limit)!;
  return `The notice is ${text.length} characters; ${strictest.displayName}, the strictest platform, allows ${limit}. Shorten the wording or the house rule's name`;
}
