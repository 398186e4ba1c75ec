import { escapeHtml } from '@kitajs/html';
import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import {
  comments,
  moderationActions,
  type Notification,
  schools,
  socialAccounts,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { isolateHtml, isolatePlain } from '../core/bidi-isolation.js';
import type { OutgoingEmail } from './mailer.js';

/** What a message says beside the notification's own title and body. */
export interface NotificationFacts {
  schoolName: string | null;
  account: string | null;
  /** When the thing must be done by (a comment's deadline, a proposal's expiry), if still open. */
  dueAt: Date | null;
}

type Content = Pick<Notification, 'event' | 'urgency' | 'title' | 'body' | 'link' | 'createdAt'>;

/** Looks up the account, school and time left of a notification's subject at send time. */
export async function loadFacts(
  db: Queryable,
  n: Pick<Notification, 'schoolId' | 'subjectType' | 'subjectId'>,
): Promise<NotificationFacts> {
  const [school] = await db.select({ name: schools.name }).from(schools).where(eq(schools.id, n.schoolId));
  const facts: NotificationFacts = { schoolName: school?.name ?? null, account: null, dueAt: null };
  const id = n.subjectId;
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) return facts;
  if (n.subjectType === 'comment') {
    const [row] = await db
      .select({ handle: socialAccounts.handle, platform: socialAccounts.platform, c: comments })
      .from(comments)
      .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
      .where(eq(comments.id, id));
    if (row) {
      facts.account = accountLabel(row);
      if (row.c.status === 'open' && row.c.deadlineAt) facts.dueAt = row.c.deadlineAt;
    }
  } else if (n.subjectType === 'action') {
    const [row] = await db
      .select({ handle: socialAccounts.handle, platform: socialAccounts.platform, a: moderationActions })
      .from(moderationActions)
      .innerJoin(socialAccounts, eq(socialAccounts.id, moderationActions.accountId))
      .where(eq(moderationActions.id, id));
    if (row) {
      facts.account = accountLabel(row);
      if (row.a.status === 'proposed' && row.a.expiresAt) facts.dueAt = row.a.expiresAt;
    }
  } else if (n.subjectType === 'account') {
    const [row] = await db
      .select({ handle: socialAccounts.handle, platform: socialAccounts.platform })
      .from(socialAccounts)
      .where(eq(socialAccounts.id, id));
    if (row) facts.account = accountLabel(row);
  }
  return facts;
}

/** "3 hours 5 minutes", or "overdue by 20 minutes". */
export function timeLeft(dueAt: Date, now: Date): string {
  const ms = dueAt.getTime() - now.getTime();
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const text = [h ? `${h} hour${h === 1 ? '' : 's'}` : '', m ? `${m} minute${m === 1 ? '' : 's'}` : '']
    .filter(Boolean)
    .join(' ');
  return ms >= 0 ? text : `overdue by ${text}`;
}

/** Links are stored relative to the app; absolute http(s) links (a policy document) pass as is. */
export function absoluteLink(publicUrl: string, link: string | null): string | null {
  if (!link) return null;
  if (link.startsWith('/') && !link.startsWith('//')) return `${publicUrl}${link}`;
  return /^https?:\/\//i.test(link) ? link : null;
}

/** One line, bounded: subject lines carry titles, which never hold comment text. */
function subjectLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > 150 ? `${flat.slice(0, 149)}…` : flat;
}

function factLines(facts: NotificationFacts, now: Date): [string, string][] {
  const lines: [string, string][] = [];
  if (facts.account) lines.push(['Account', facts.account]);
  if (facts.schoolName) lines.push(['School', facts.schoolName]);
  if (facts.dueAt) {
    lines.push([
      'Time left',
      `${timeLeft(facts.dueAt, now)} (due ${facts.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    ]);
  }
  return lines;
}

export function renderEmail(
  n: Content,
  facts: NotificationFacts,
  publicUrl: string,
  now: Date,
): Omit<OutgoingEmail, 'to'> {
  const urgent = n.urgency === 'urgent';
  const link = absoluteLink(publicUrl, n.link);
  const facts_ = factLines(facts, now);
  const settings = `${publicUrl}/notifications`;
  const text = [
    n.title,
    '',
    n.body,
    '',
    ...facts_.map(([k, v]) => `${k}: ${v}`),
    ...(link ? [`Open it: ${link}`] : []),
    '',
    urgent
      ? 'This is urgent: it is sent at once whatever your notification settings say.'
      : `Change what you are sent: ${settings}`,
  ].join('\n');
  const html = [
    `<h1 style="font-size:18px">${isolateHtml(n.title)}</h1>`,
    `<p>${isolateHtml(n.body)}</p>`,
    facts_.length
      ? `<table>${facts_.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${isolateHtml(v)}</td></tr>`).join('')}</table>`
      : '',
    link ? `<p><a href="${escapeHtml(link)}">Open it in Hallmonitor</a></p>` : '',
    urgent
      ? '<p><small>This is urgent: it is sent at once whatever your notification settings say.</small></p>'
      : `<p><small><a href="${escapeHtml(settings)}">Change what you are sent</a></small></p>`,
  ].join('\n');
  return {
    subject: subjectLine(`${urgent ? 'URGENT: ' : ''}${n.title} - Hallmonitor`),
    text,
    html,
  };
}

export interface DigestItem {
  notification: Content;
  facts: NotificationFacts;
}

/** One email for a person's held, non-urgent notifications, oldest first. */
export function renderDigest(items: DigestItem[], publicUrl: string, now: Date): Omit<OutgoingEmail, 'to'> {
  const count = items.length;
  const settings = `${publicUrl}/notifications`;
  const text = [
    `${count} notification${count === 1 ? '' : 's'} since your last digest:`,
    '',
    ...items.flatMap(({ notification: n, facts }) => {
      const link = absoluteLink(publicUrl, n.link);
      return [
        `- ${n.title}`,
        `  ${n.body}`,
        ...factLines(facts, now).map(([k, v]) => `  ${k}: ${v}`),
        ...(link ? [`  Open it: ${link}`] : []),
        '',
      ];
    }),
    `Change what you are sent: ${settings}`,
  ].join('\n');
  const html = [
    `<h1 style="font-size:18px">${count} notification${count === 1 ? '' : 's'} since your last digest</h1>`,
    '<ul>',
    ...items.map(({ notification: n, facts }) => {
      const link = absoluteLink(publicUrl, n.link);
      const extra = factLines(facts, now)
        .map(([k, v]) => `<br><small>${escapeHtml(k)}: ${isolateHtml(v)}</small>`)
        .join('');
      const title = link ? `<a href="${escapeHtml(link)}">${isolateHtml(n.title)}</a>` : isolateHtml(n.title);
      return `<li><strong>${title}</strong><br>${isolateHtml(n.body)}${extra}</li>`;
    }),
    '</ul>',
    `<p><small><a href="${escapeHtml(settings)}">Change what you are sent</a></small></p>`,
  ].join('\n');
  return {
    subject: `Hallmonitor digest: ${count} notification${count === 1 ? '' : 's'}`,
    text,
    html,
  };
}

/** Slack mrkdwn treats &, < and > as control characters. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel. */
export function slackMessage(n: Content, facts: NotificationFacts, publicUrl: string, now: Date) {
  const link = absoluteLink(publicUrl, n.link);
  const urgent = n.urgency === 'urgent';
  const title = `${urgent ? ':rotating_light: *URGENT:* ' : ''}*${slackEscape(n.title)}*`;
  const facts_ = factLines(facts, now);
  return {
    text: `${urgent ? 'URGENT: ' : ''}${n.title}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${slackEscape(isolatePlain(n.body))}` } },
      ...(facts_.length
        ? [
            {
              type: 'section',
              fields: facts_.map(([k, v]) => ({
                type: 'mrkdwn',
                text: `*${slackEscape(k)}*\n${slackEscape(isolatePlain(v))}`,
              })),
            },
          ]
        : []),
      ...(link
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open it in Hallmonitor>` }] }]
        : []),
    ],
  };
}

/** A Microsoft Teams incoming-webhook message carrying an Adaptive Card. */
export function teamsMessage(n: Content, facts: NotificationFacts, publicUrl: string, now: Date) {
  const link = absoluteLink(publicUrl, n.link);
  const urgent = n.urgency === 'urgent';
  const facts_ = factLines(facts, now);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: `${urgent ? 'URGENT: ' : ''}${n.title}`,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              ...(urgent ? { color: 'Attention' } : {}),
            },
            { type: 'TextBlock', text: isolatePlain(n.body), wrap: true },
            ...(facts_.length
              ? [
                  {
                    type: 'FactSet',
                    facts: facts_.map(([title, value]) => ({ title, value: isolatePlain(value) })),
                  },
                ]
              : []),
          ],
          ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Hallmonitor', url: link }] } : {}),
        },
      },
    ],
  };
}
