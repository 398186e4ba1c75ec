import { describe, expect, it } from 'vitest';
import {
  type NotificationFacts,
  renderDigest,
  renderEmail,
  slackMessage,
  teamsMessage,
} from '../../../services/notifications/notification-content.js';

/**
 * A notification's body can carry text from outside (a platform's refusal, a reason typed by
 * someone), and its facts an account's handle: in HTML each sits in its own <bdi>, in Slack and
 * Teams between FSI and PDI, so an override in it cannot turn the rest of the message round.
 */
const RLO = '\u202E';
const PDI = '\u2069';
const body = `The platform refused it: ${PDI}${RLO}dettimrep ton`;
const n = {
  event: 'action.failed' as const,
  urgency: 'normal' as const,
  title: 'A hide failed',
  body,
  link: '/flags',
  createdAt: new Date('2026-12-04T10:00:00Z'),
};
const facts: NotificationFacts = {
  schoolName: 'Oakfield Primary',
  account: `@eve${RLO}dnah on X`,
  dueAt: null,
};
const now = new Date('2026-12-04T10:00:00Z');
const balanced = `The platform refused it: ${RLO}dettimrep ton`;

describe('notification messages isolate the text they carry', () => {
  it('email HTML: title, body and each fact in its own <bdi>, a stray isolate end dropped', () => {
    const { html } = renderEmail(n, facts, 'https://hm.test', now);
    expect(html).toContain(`<p><bdi>${balanced}</bdi></p>`);
    expect(html).toContain('<bdi>A hide failed</bdi>');
    expect(html).toContain(`<td><bdi>@eve${RLO}dnah on X</bdi></td>`);
  });

  it('digest HTML: the same', () => {
    const { html } = renderDigest([{ notification: n, facts }], 'https://hm.test', now);
    expect(html).toContain(`<br><bdi>${balanced}</bdi>`);
    expect(html).toContain(`Account: <bdi>@eve${RLO}dnah on X</bdi>`);
  });

  it('Slack and Teams: the body and each fact between FSI and PDI', () => {
    const slack = JSON.stringify(slackMessage(n, facts, 'https://hm.test', now));
    expect(slack).toContain(`\\n\u2068${balanced}${PDI}`);
    expect(slack).toContain(`\u2068@eve${RLO}dnah on X${PDI}`);
    const teams = teamsMessage(n, facts, 'https://hm.test', now);
    const card = teams.attachments[0]!.content;
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: `\u2068${balanced}${PDI}` });
    expect(JSON.stringify(card.body[2])).toContain(`\u2068@eve${RLO}dnah on X${PDI}`);
  });
});
