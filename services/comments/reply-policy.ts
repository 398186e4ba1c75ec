import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import { schools } from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';

/**
 * How a school answers in public, one document per school (schools.reply_policy). Every field has
 * a default that is the policy's literal reading (002 §5, §8), so an empty document is a school
 * that follows the policy as written.
 */

/** A house rule the school publishes (002 §5 Parents/Carers: "informed about acceptable use"). */
const houseRule = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{2,40}$/, 'a house rule id is 2–40 lowercase letters, digits or _'),
  name: z.string().trim().min(2, 'name each house rule').max(80),
});
export type HouseRule = z.infer<typeof houseRule>;

const sensitiveTopic = z.object({
  name: z.string().trim().min(2).max(60),
  /** Words or phrases that mean a reply touches the topic; matched whole, any case (an all-capitals
   * term such as SEND matches only in capitals, so "send" is not SEND). */
  terms: z.array(z.string().trim().min(2).max(60)).min(1).max(60),
});
export type SensitiveTopic = z.infer<typeof sensitiveTopic>;

/** The words each action's notice uses: `{rule}` is the rule's name, `{school}` the school's. */
export const NOTICE_WORDINGS = ['hidden', 'removed', 'blocked'] as const;
export type NoticeWording = (typeof NOTICE_WORDINGS)[number];

export const SIGN_OFFS = ['initials', 'role', 'off'] as const;
export type SignOff = (typeof SIGN_OFFS)[number];

const url = z.url({ protocol: /^https?$/, message: 'a link starting https:// or http://' }).max(300);

export const replyPolicySchema = z.object({
  houseRulesUrl: url.nullable(),
  houseRules: z
    .array(houseRule)
    .min(1, 'keep at least one house rule: notices cite one')
    .max(20)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, 'two house rules share an id'),
  /** P3: hide and delete tell the audience why unless the admin says not to. */
  noticeByDefault: z.boolean(),
  noticeWording: z.object({
    hidden: z.string().trim().min(10).max(500),
    removed: z.string().trim().min(10).max(500),
    blocked: z.string().trim().min(10).max(500),
  }),
  /** P3: offensive flags are handled within this many working minutes. */
  offensiveFlagTargetMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  /** P10: a reply touching one of these waits for a senior leader. */
  sensitiveTopics: z.array(sensitiveTopic).max(30),
  /** 002 §5 Behaviour: "users must declare who they are". */
  signOff: z.enum(SIGN_OFFS),
  /** P9: where a parent is pointed to. */
  complaintsUrl: url.nullable(),
});
export type ReplyPolicy = z.infer<typeof replyPolicySchema>;

/** Which house rule an action's reason breaks unless the admin picks another. */
export const RULE_FOR_REASON: Record<string, string> = {
  offensive: 'be_respectful',
  abusive: 'be_respectful',
  harassment: 'be_respectful',
  other: 'be_respectful',
  discriminatory: 'no_discrimination',
  defamatory: 'no_allegations',
  personal_information: 'no_personal_information',
  safeguarding: 'no_personal_information',
  spam: 'no_spam',
};

export const DEFAULT_REPLY_POLICY: ReplyPolicy = Object.freeze({
  houseRulesUrl: null,
  houseRules: [
    { id: 'be_respectful', name: 'Be respectful: no abusive, offensive or harassing language' },
    { id: 'no_discrimination', name: 'No discriminatory comments' },
    { id: 'no_allegations', name: 'No allegations about named people' },
    { id: 'no_personal_information', name: 'No personal information about anyone' },
    { id: 'no_spam', name: 'No spam or advertising' },
  ],
  noticeByDefault: true,
  noticeWording: {
    hidden: 'We have hidden a reply because it broke our house rule “{rule}”.',
    removed: 'We have removed a reply because it broke our house rule “{rule}”.',
    blocked: 'We have blocked an account because it broke our house rule “{rule}”.',
  },
  offensiveFlagTargetMinutes: 60,
  sensitiveTopics: [
    {
      name: 'Exclusions',
      terms: [
        'exclusion',
        'exclusions',
        'excluded',
        'exclude',
        'expelled',
        'expulsion',
        'suspension',
        'suspended',
      ],
    },
    {
      name: 'Special educational needs',
      terms: [
        'SEN',
        'SEND',
        'SENCO',
        'special educational needs',
        'EHCP',
        'EHC plan',
        'autism',
        'autistic',
        'ADHD',
        'dyslexia',
        'learning difficulties',
      ],
    },
    {
      name: 'Health',
      terms: [
        'health',
        'medical',
        'medication',
        'diagnosis',
        'diagnosed',
        'illness',
        'hospital',
        'allergy',
        'allergies',
        'mental health',
        'self-harm',
      ],
    },
    {
      name: 'Staff conduct',
      terms: ['disciplinary', 'misconduct', 'staff conduct', 'dismissed', 'sacked', 'investigation'],
    },
    {
      name: 'Legal matters',
      terms: [
        'legal',
        'solicitor',
        'lawyer',
        'tribunal',
        'lawsuit',
        'in court',
        'court case',
        'police',
        'ombudsman',
      ],
    },
    {
      name: 'Politics and religion',
      terms: [
        'politics',
        'political',
        'election',
        'government',
        'MP',
        'councillor',
        'religion',
        'religious',
        'faith',
        'church',
        'mosque',
        'synagogue',
        'temple',
        'prayer',
      ],
    },
  ],
  signOff: 'initials',
  complaintsUrl: null,
}) as ReplyPolicy;

/** A stored document read field by field: what is missing or no longer valid takes the default. */
export function replyPolicyOf(stored: unknown): ReplyPolicy {
  const doc = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(replyPolicySchema.shape)) {
    const parsed = (field as z.ZodType).safeParse(doc[key]);
    out[key] =
      doc[key] !== undefined && parsed.success ? parsed.data : DEFAULT_REPLY_POLICY[key as keyof ReplyPolicy];
  }
  return out as ReplyPolicy;
}

export async function loadReplyPolicy(
  db: Queryable,
  schoolId: string,
): Promise<ReplyPolicy & { school: string }> {
  const [row] = await db
    .select({ name: schools.name, replyPolicy: schools.replyPolicy })
    .from(schools)
    .where(eq(schools.id, schoolId));
  if (!row) throw notFound('That school');
  return { ...replyPolicyOf(row.replyPolicy), school: row.name };
}

/** Any of the school's staff may read how it answers (the reply form and the notices show it). */
export async function getReplyPolicy(ctx: ServiceContext, schoolId: string): Promise<ReplyPolicy> {
  assertInScope(ctx, schoolId, 'That school');
  const { school: _, ...policy } = await loadReplyPolicy(queryable(ctx), schoolId);
  return policy;
}
