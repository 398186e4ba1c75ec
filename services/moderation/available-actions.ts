import { ACTION_KINDS, type ActionKind } from '../../db/schema/index.js';
import { type HouseRule, loadReplyPolicy, type SignOff } from '../comments/reply-policy.js';
import type { ServiceContext } from '../core/service-context.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { loadCommentWithAccount } from './action-access.js';
import {
  ACTION_CAPABILITY,
  ACTION_TARGET,
  type ActionTarget,
  needsSecondAdmin,
  platformCapabilities,
} from './action-rules.js';
import { NOTICE_TEMPLATES, type NoticeTemplateId } from './notice-templates.js';

export interface AvailableAction {
  kind: ActionKind;
  target: ActionTarget;
  /** platform: Hallmonitor carries it out; manual: do it in the platform's app, then record it */
  mode: 'platform' | 'manual';
  approval: 'one_admin' | 'two_admins';
  /** why the platform cannot do it (shown beside a manual action) */
  note: string | null;
}

/** What can be done about a comment on its platform, and under which rule. */
export async function availableActions(
  ctx: ServiceContext,
  input: { commentId: string },
): Promise<{
  platform: string;
  /** 'Facebook': how the platform is named to people */
  platformName: string;
  /** the longest notice this platform takes */
  maxNoticeChars: number;
  isAccountAdmin: boolean;
  actions: AvailableAction[];
  noticeTemplates: { id: NoticeTemplateId; title: string }[];
  /** The school's house rules a notice may cite, and whether hide and delete post one by default. */
  notices: { houseRules: HouseRule[]; byDefault: boolean; signOff: SignOff; sensitiveTopics: string[] };
}> {
  const { account } = await loadCommentWithAccount(ctx, ctx.db, input.commentId);
  const capabilities = platformCapabilities(account.platform);
  const actions = ACTION_KINDS.map((kind): AvailableAction => {
    const capability = ACTION_CAPABILITY[kind];
    const can = capabilities[capability];
    return {
      kind,
      target: ACTION_TARGET[kind],
      mode: can ? 'platform' : 'manual',
      approval: needsSecondAdmin(kind, account.settings) ? 'two_admins' : 'one_admin',
      note: can ? null : (capabilities.notes[capability] ?? 'not supported by this platform'),
    };
  });
  return {
    platform: account.platform,
    platformName: platformProfile(account.platform).displayName,
    maxNoticeChars: platformProfile(account.platform).maxNoticeChars,
    isAccountAdmin: ctx.actor.type === 'system' || !!ctx.principal?.adminOfAccounts.has(account.id),
    actions,
    notices: await loadReplyPolicy(ctx.db, account.schoolId).then((p) => ({
      houseRules: p.houseRules,
      byDefault: p.noticeByDefault,
      signOff: p.signOff,
      sensitiveTopics: p.sensitiveTopics.map((t) => t.name),
    })),
    noticeTemplates: (Object.keys(NOTICE_TEMPLATES) as NoticeTemplateId[]).map((id) => ({
      id,
      title: NOTICE_TEMPLATES[id].title,
    })),
  };
}
