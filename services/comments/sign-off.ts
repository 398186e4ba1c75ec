import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import type { SignOff } from './reply-policy.js';

/** How a role signs a reply when the school signs with roles, most senior first. */
const ROLE_SIGNATURES = [
  ['senior_leader', 'Senior leadership team'],
  ['safeguarding_lead', 'Safeguarding team'],
  ['comms', 'Communications team'],
  ['trust_admin', 'Trust office'],
] as const;

/** "Casey de la Cruz" → "CDC"; at most three letters, from the words of the name. */
export function initialsOf(name: string): string {
  const letters = name
    .split(/[\s-]+/)
    .map((w) => w.match(/\p{L}/u)?.[0] ?? '')
    .filter(Boolean)
    .map((l) => l.toLocaleUpperCase('en-GB'));
  return letters.length <= 3 ? letters.join('') : `${letters[0]}${letters.slice(-2).join('')}`;
}

/** The signature the school's setting gives this person's replies (002 §5: staff say who they are). */
export async function signatureOf(
  db: Queryable,
  ctx: ServiceContext,
  schoolId: string,
  mode: SignOff,
): Promise<string | null> {
  if (mode === 'off' || ctx.actor.type !== 'user') return null;
  if (mode === 'role') {
    const roles = ctx.principal?.rolesBySchool.get(schoolId);
    return ROLE_SIGNATURES.find(([role]) => roles?.has(role))?.[1] ?? 'School office';
  }
  const [user] = await db.select({ name: users.displayName }).from(users).where(eq(users.id, ctx.actor.id));
  const initials = initialsOf(user?.name ?? '');
  return initials || null;
}

/** The reply as it is posted: the text, then "— signature" (not added twice). */
export function signReply(text: string, signature: string | null): string {
  if (!signature) return text;
  const line = `— ${signature}`;
  return text.trimEnd().endsWith(line) ? text : `${text.trimEnd()}\n${line}`;
}
