import { platformProfiles } from '../platforms/platform-profiles.js';

/**
 * The public reply that tells the audience why an action was taken (P3), and the parent route of
 * P9: ask them to remove it, invite them to talk, point to the complaints procedure. Templates
 * never name the author or quote the comment: a notice must not repeat what was removed.
 */
export const NOTICE_TEMPLATES = {
  community_guidelines: {
    title: 'Breach of community guidelines',
    text: ({ school }: NoticeValues) =>
      `We have hidden a reply because it broke ${school}'s community guidelines. We welcome comments and questions here, but not abusive or offensive language.`,
  },
  personal_information: {
    title: 'Personal information removed',
    text: ({ school }: NoticeValues) =>
      `We have removed a reply because it shared personal information. To protect our pupils, families and staff, ${school} does not allow personal details to be posted here.`,
  },
  parent_remove_and_talk: {
    title: 'Parent: please remove, let us talk, complaints procedure',
    text: ({ school, complaintsUrl }: NoticeValues) =>
      `We would ask that this comment is removed. We would like to talk about your concerns in person: please contact the school office.${
        complaintsUrl
          ? ` ${school}'s complaints procedure is at ${complaintsUrl}`
          : ` You can also use ${school}'s complaints procedure.`
      }`,
  },
} as const;

export type NoticeTemplateId = keyof typeof NOTICE_TEMPLATES;
export const NOTICE_TEMPLATE_IDS = Object.keys(NOTICE_TEMPLATES) as [NoticeTemplateId, ...NoticeTemplateId[]];

export interface NoticeValues {
  school: string;
  complaintsUrl?: string | undefined;
}

/**
 * The longest notice on any platform, the bound on the request; each account's platform has its own
 * limit (platformProfile(p).maxNoticeChars: 280 on X), checked against the account acted on.
 */
export const MAX_NOTICE_CHARS = Math.max(...platformProfiles().map((p) => p.maxNoticeChars));

export function draftNotice(id: NoticeTemplateId, values: NoticeValues): string {
  return NOTICE_TEMPLATES[id].text(values);
}
