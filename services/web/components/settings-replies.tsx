import type { ReplyPolicy } from '../../comments/reply-policy.js';
import { Option, PostForm } from './kit.js';
import { fieldId } from './page-bits.js';

export interface SettingsRepliesProps {
  action: string;
  policy: ReplyPolicy;
  /** Senior leaders and trust admins change it; other staff see it. */
  editable: boolean;
}

const SIGN_OFF_LABELS = {
  initials: "The author's initials (“— JS”)",
  role: "The author's role (“— Communications team”)",
  off: 'No sign-off',
} as const;

/** The house rules as the form edits them: `id: name`, one a line. */
export const houseRuleLines = (policy: ReplyPolicy) =>
  policy.houseRules.map((r) => `${r.id}: ${r.name}`).join('\n');
/** The sensitive topics as the form edits them: `Topic: term, term`, one a line. */
export const topicLines = (policy: ReplyPolicy) =>
  policy.sensitiveTopics.map((t) => `${t.name}: ${t.terms.join(', ')}`).join('\n');

/**
 * How the school answers in public (P3, P9, P10, 002 §5): the house rules notices cite, the notice
 * wording per action, the offensive-flag target, the topics that need a senior leader, the
 * sign-off on replies and the complaints procedure link.
 */
export function SettingsReplies(p: SettingsRepliesProps & { csrfToken: string }): JSX.Element {
  const ids = {
    rulesUrl: fieldId('house-rules-url'),
    rules: fieldId('house-rules'),
    byDefault: fieldId('notice-by-default'),
    hidden: fieldId('notice-hidden'),
    removed: fieldId('notice-removed'),
    blocked: fieldId('notice-blocked'),
    target: fieldId('flag-target'),
    topics: fieldId('sensitive-topics'),
    signOff: fieldId('sign-off'),
    complaints: fieldId('complaints-url'),
  };
  const q = p.policy;
  return (
    <section aria-labelledby="replies-h">
      <h2 id="replies-h">House rules and replies</h2>
      <p class="help">
        A hide, delete or block tells the audience which house rule the comment broke, in the words below (
        {'{rule}'} is the rule's name, {'{school}'} the school's); the house rules link is added when set. A
        reply touching a sensitive topic waits for a senior leader. Each change is audited.
      </p>
      {p.editable ? (
        <PostForm action={p.action} csrfToken={p.csrfToken} class="stack-form" id="replies-form">
          <label for={ids.rulesUrl}>House rules link (published on the school's website)</label>
          <input id={ids.rulesUrl} name="houseRulesUrl" value={q.houseRulesUrl ?? ''} maxlength="300" />
          <label for={ids.rules}>House rules, one a line as “id: name” (notices cite the name)</label>
          <textarea id={ids.rules} name="houseRules" rows="6" maxlength="3000" safe>
            {houseRuleLines(q)}
          </textarea>
          <label for={ids.byDefault}>
            <input
              type="checkbox"
              id={ids.byDefault}
              name="noticeByDefault"
              value="on"
              checked={q.noticeByDefault}
            />{' '}
            Hide and delete post a notice saying why unless the admin unticks it
          </label>
          <label for={ids.hidden}>Notice after a hide</label>
          <input
            id={ids.hidden}
            name="noticeHidden"
            value={q.noticeWording.hidden}
            required
            maxlength="500"
          />
          <label for={ids.removed}>Notice after a delete</label>
          <input
            id={ids.removed}
            name="noticeRemoved"
            value={q.noticeWording.removed}
            required
            maxlength="500"
          />
          <label for={ids.blocked}>Notice after a block</label>
          <input
            id={ids.blocked}
            name="noticeBlocked"
            value={q.noticeWording.blocked}
            required
            maxlength="500"
          />
          <label for={ids.target}>Offensive flags are handled within (working minutes)</label>
          <input
            id={ids.target}
            name="offensiveFlagTargetMinutes"
            type="number"
            min="5"
            max="10080"
            value={String(q.offensiveFlagTargetMinutes)}
            required
          />
          <label for={ids.topics}>
            Sensitive topics, one a line as “Topic: word, phrase” (a reply touching one needs a senior
            leader's approval; a word in capitals matches only in capitals)
          </label>
          <textarea id={ids.topics} name="sensitiveTopics" rows="7" maxlength="20000" safe>
            {topicLines(q)}
          </textarea>
          <label for={ids.signOff}>Replies are signed with</label>
          <select id={ids.signOff} name="signOff">
            {(Object.keys(SIGN_OFF_LABELS) as (keyof typeof SIGN_OFF_LABELS)[]).map((s) => (
              <Option value={s} label={SIGN_OFF_LABELS[s]} selected={q.signOff} />
            ))}
          </select>
          <label for={ids.complaints}>Complaints procedure link (parents are pointed to it)</label>
          <input id={ids.complaints} name="complaintsUrl" value={q.complaintsUrl ?? ''} maxlength="300" />
          <button type="submit">Save house rules and replies</button>
        </PostForm>
      ) : (
        <dl class="reply-policy">
          <dt>House rules</dt>
          <dd>
            <ul>
              {q.houseRules.map((r) => (
                <li safe>{r.name}</li>
              ))}
            </ul>
          </dd>
          <dt>House rules link</dt>
          <dd safe>{q.houseRulesUrl ?? '—'}</dd>
          <dt>Offensive flags handled within</dt>
          <dd safe>{`${q.offensiveFlagTargetMinutes} working minutes`}</dd>
          <dt>Sensitive topics</dt>
          <dd safe>{q.sensitiveTopics.map((t) => t.name).join(', ') || '—'}</dd>
          <dt>Sign-off</dt>
          <dd>{SIGN_OFF_LABELS[q.signOff]}</dd>
          <dt>Complaints procedure</dt>
          <dd safe>{q.complaintsUrl ?? '—'}</dd>
        </dl>
      )}
    </section>
  );
}
