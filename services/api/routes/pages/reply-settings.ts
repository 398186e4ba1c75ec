import { z } from 'zod';
import { getReplyPolicy } from '../../../comments/reply-policy.js';
import { REPLY_POLICY_EDITORS, setReplyPolicy } from '../../../comments/set-reply-policy.js';
import { hasRole } from '../../../core/principal.js';
import type { ServiceContext } from '../../../core/service-context.js';
import { invalidField, ServiceError } from '../../../core/service-error.js';
import type { SettingsRepliesProps } from '../../../web/components/settings-replies.js';
import { formBody, formField, pageRoutes, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** The settings page's "House rules and replies" section, or null for someone outside the school. */
export async function replySettingsView(
  ctx: ServiceContext,
  schoolId: string,
): Promise<SettingsRepliesProps | null> {
  try {
    const policy = await getReplyPolicy(ctx, schoolId);
    const principal = ctx.principal;
    return {
      action: `/schools/${schoolId}/settings/replies`,
      policy,
      editable: !!principal && hasRole(principal, schoolId, REPLY_POLICY_EDITORS),
    };
  } catch (error) {
    if (error instanceof ServiceError && ['FORBIDDEN', 'NOT_FOUND'].includes(error.code)) return null;
    throw error;
  }
}

/** `id: name` lines; a line without an id gets one from its name. */
export function parseHouseRuleLines(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const m = /^([a-z0-9_]{2,40})\s*:\s*(.+)$/.exec(line);
      if (m) return { id: m[1]!, name: m[2]!.trim() };
      const id = line
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .slice(0, 40);
      if (id.length < 2)
        throw invalidField('houseRules', `House rule line ${i + 1}: start it with an id, as “id: name”`);
      return { id, name: line };
    });
}

/** `Topic: term, term` lines. */
export function parseTopicLines(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const at = line.indexOf(':');
      if (at < 1)
        throw invalidField('sensitiveTopics', `Sensitive topic line ${i + 1} is not “Topic: word, phrase”`);
      return {
        name: line.slice(0, at).trim(),
        terms: line
          .slice(at + 1)
          .split(/[,;]/)
          .map((t) => t.trim())
          .filter(Boolean),
      };
    });
}

/** POST /schools/:schoolId/settings/replies: the section's form, through setReplyPolicy. */
export const replySettingsPageRoutes = pageRoutes(async (app) => {
  app.post(
    '/schools/:schoolId/settings/replies',
    {
      schema: {
        params: schoolParams,
        body: formBody({
          houseRulesUrl: formField.optionalText(300),
          houseRules: formField.text(3_000),
          noticeByDefault: formField.checkbox(),
          noticeHidden: formField.text(500),
          noticeRemoved: formField.text(500),
          noticeBlocked: formField.text(500),
          offensiveFlagTargetMinutes: formField.optionalInt(5, 7 * 24 * 60),
          sensitiveTopics: formField.text(20_000),
          signOff: formField.choice(['initials', 'role', 'off']),
          complaintsUrl: formField.optionalText(300),
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { schoolId } = request.params;
      return runForm(reply, `/schools/${schoolId}/settings#replies-h`, async () => {
        await setReplyPolicy(request.ctx, schoolId, {
          houseRulesUrl: b.houseRulesUrl ?? null,
          houseRules: parseHouseRuleLines(b.houseRules),
          noticeByDefault: b.noticeByDefault,
          noticeWording: { hidden: b.noticeHidden, removed: b.noticeRemoved, blocked: b.noticeBlocked },
          ...(b.offensiveFlagTargetMinutes
            ? { offensiveFlagTargetMinutes: b.offensiveFlagTargetMinutes }
            : {}),
          sensitiveTopics: parseTopicLines(b.sensitiveTopics),
          signOff: b.signOff,
          complaintsUrl: b.complaintsUrl ?? null,
        });
        return 'House rules and replies saved';
      });
    },
  );
});
