import { escapeHtml } from '@kitajs/html';
import { auditActionLabel, commentLabelOf } from '../../audit/audit-labels.js';
import { labelTier, tierOutcomeText } from '../../classification/label-tier.js';
import type { CommentPeople } from '../../comments/comment-people.js';
import type { CommentDetail, CommentSummary } from '../../comments/get-comment-detail.js';
import { REASON_CATEGORIES } from '../../moderation/action-rules.js';
import type { PlatformName } from '../../platforms/adapter.js';
import {
  heldByPlatformText,
  platformDisplayName,
  platformProfile,
} from '../../platforms/platform-profiles.js';
import { ActionOutcomeItem } from '../components/action-outcome.js';
import { CommentName } from '../components/comment-name.js';
import { PupilNotice, PupilOverrideField, WhoWroteIt } from '../components/comment-people.js';
import { HighlightedText } from '../components/highlighted-text.js';
import { ActorName, Option, PostForm, sentenceCase, Time, words } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { AccountName, AuthorName, namesPeople, PublicText } from '../components/public-text.js';
import { RaiseConcernForms } from '../components/raise-concern.js';
import type { NavUser } from '../components/site-nav.js';
import { TeachClassifier } from '../components/teach-classifier.js';
import { currentTimeZone } from '../components/time-zone.js';
import { Layout } from '../layout.js';

/** A refusal or the outgoing check's problems, shown above the form that caused them. */
export interface CommentPageError {
  /** Which form: reply, close, assign, act, escalate, confirm, reject. */
  form: string;
  /** Plain text; escaped here. */
  message: string;
  /** The outgoing check's problems (reason and offsets into the draft), when the reply was refused. */
  problems?: { reason: string; spans: [number, number][] }[];
  /** Where to put it right (the policy to acknowledge, P5): a path on this site. */
  link?: string;
}

export interface CommentPageProps {
  detail: CommentDetail;
  user: NavUser;
  csrfToken: string;
  now: Date;
  /** The message a form left after its redirect (fixed text); escaped here. */
  flash?: FlashMessage | null | undefined;
  error?: CommentPageError | undefined;
  /** What the person typed, kept when a form is refused. */
  draft?: { kind?: string; text?: string } | undefined;
  /** Preselects a moderation kind (the inbox's `h` shortcut opens the page with `do=hide`). */
  preselect?: string | undefined;
  /** Who wrote it: parent and pupil marks, the pupil rule, the parent path (P9). */
  people?: CommentPeople | undefined;
  /** P6: a media enquiry's approvers ("Ann Head (headteacher) or Bob Deputy"); null when it is not one. */
  mediaApprovers?: string | null | undefined;
}

/** P6: whether this is a media enquiry, who approves its replies, and marking or unmarking it. */
function MediaEnquiry({
  commentId,
  approvers,
  canMark,
  csrfToken,
}: {
  commentId: string;
  approvers: string | null;
  canMark: boolean;
  csrfToken: string;
}): JSX.Element {
  if (approvers) {
    return (
      <div class="media-enquiry" id="media-enquiry">
        <p>
          <strong>Media enquiry.</strong>{' '}
          <span safe>{`No reply and no offline response without the approval of ${approvers} (P6).`}</span>
        </p>
        {canMark ? (
          <PostForm action={`/comments/${commentId}/not-a-problem`} csrfToken={csrfToken} class="inline-form">
            <input type="hidden" name="category" value="media_enquiry" />
            <label for="unmark-media">Not a media enquiry: why</label>
            <input id="unmark-media" name="reason" required maxlength="2000" />
            <button type="submit" class="secondary">
              Not a media enquiry
            </button>
          </PostForm>
        ) : (
          ''
        )}
      </div>
    );
  }
  if (!canMark) return '';
  return (
    <div class="media-enquiry" id="media-enquiry">
      <PostForm action={`/comments/${commentId}/flag`} csrfToken={csrfToken} class="inline-form">
        <input type="hidden" name="category" value="media_enquiry" />
        <label for="mark-media">A journalist asking for comment? Note (optional)</label>
        <input id="mark-media" name="note" maxlength="2000" />
        <button type="submit">Mark as a media enquiry</button>
      </PostForm>
    </div>
  );
}

/** "Instagram allows 2,200 characters in a reply, sign-off included." */
export function replyLimitText(platform: PlatformName): string {
  const profile = platformProfile(platform);
  return `${profile.displayName} allows ${profile.maxReplyChars.toLocaleString('en-GB')} characters in a reply, sign-off included.`;
}

/** The refusal of one form, above it; with the outgoing check's problems marked in the draft. */
function FormError({
  error,
  form,
  draftText,
}: {
  error: CommentPageError | undefined;
  form: string;
  draftText?: string | undefined;
}): JSX.Element {
  if (!error || error.form !== form) return '';
  const problems = error.problems ?? [];
  // The check's reasons are listed once: not again in the headline, nor twice in the list.
  const reasons = [...new Set(problems.map((p) => p.reason))];
  return (
    <div class="flash flash-error form-error" role="alert">
      <p safe>{problems.length ? 'This reply cannot be sent:' : error.message}</p>
      {error.link ? (
        <p>
          <a href={error.link} class="next-step">
            Read and acknowledge the policy
          </a>
        </p>
      ) : (
        ''
      )}
      {problems.length ? (
        <ul class="problems">
          {reasons.map((r) => (
            <li safe>{r}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {problems.length && draftText ? (
        <p class="draft-check">
          Your draft, with the problems marked:{' '}
          <HighlightedText text={draftText} spans={problems.flatMap((p) => p.spans)} />
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

function Author({
  redacted,
  name,
  handle,
  platform,
}: {
  redacted: boolean;
  name: string;
  handle: string;
  platform: string;
}) {
  return (
    <span class="author">
      {redacted ? 'Redacted' : <AuthorName name={name} handle={handle} platform={platform} />}
    </span>
  );
}

function SummaryList({
  items,
  empty,
  platform,
}: {
  items: CommentSummary[];
  empty: string;
  platform: string;
}): JSX.Element {
  if (!items.length)
    return (
      <p class="muted" safe>
        {empty}
      </p>
    );
  return (
    <ol class="mini-comments">
      {items.map((c) => (
        <li class={c.current ? 'current' : ''}>
          <Author redacted={c.redacted} name={c.authorName} handle={c.authorHandle} platform={platform} />{' '}
          <Time at={c.postedAt} />{' '}
          <span class={`status status-${c.status}`} safe>
            {c.status}
          </span>
          <p class="comment-text">
            {c.redacted ? <em>Redacted under the retention policy</em> : <PublicText text={c.text} />}
          </p>
          {c.current ? <span class="muted">(this comment)</span> : <a href={`/comments/${c.id}`}>Open</a>}
        </li>
      ))}
    </ol>
  );
}

/** Which outside classifiers were asked, and what each did: a silent one is not a clean bill. */
function OutsideTiers({ d }: { d: CommentDetail }): JSX.Element {
  const asked = d.comment.externalTiers ?? [];
  if (!asked.length) return '';
  return <p class="outside-tiers" safe>{`Also asked: ${asked.map(tierOutcomeText).join('; ')}.`}</p>;
}

function WhyFlagged({ d }: { d: CommentDetail }): JSX.Element {
  return (
    <>
      <WhyFlaggedLabels d={d} />
      <OutsideTiers d={d} />
    </>
  );
}

function WhyFlaggedLabels({ d }: { d: CommentDetail }): JSX.Element {
  const { labels, text } = d.comment;
  if (!labels.length) return <p class="muted">Not flagged: the classifier found nothing to label.</p>;
  return (
    <ul class="why-flagged">
      {labels.map((l) => {
        const by = labelTier(l.source);
        // An outside tier reads the whole comment: its label has no words of its own to mark.
        const matched = by.wholeComment
          ? []
          : l.spans
              .map(([s, end]) => text.slice(Math.max(0, s), Math.max(0, end)))
              .filter((w) => w.length > 0);
        return (
          <li class={`label-${l.category} severity-${l.severity}`}>
            <strong safe>{words(l.category)}</strong>: {escapeHtml(words(l.subcategory))} ·{' '}
            <span class="severity" safe>{`${l.severity} severity`}</span> · said by{' '}
            <span class={`label-tier label-tier-${by.tier}`} safe>
              {by.title}
            </span>{' '}
            <code safe>{by.detail}</code>
            {matched.length ? (
              <>
                {' · matched '}
                {matched.map((w, i) => (
                  <>
                    {i ? ', ' : ''}
                    <mark>
                      <PublicText text={w} />
                    </mark>
                  </>
                ))}
              </>
            ) : (
              ''
            )}
          </li>
        );
      })}
    </ul>
  );
}

function hiddenState(d: CommentDetail): string | null {
  const done = d.actions.filter(
    (a) => (a.kind === 'hide' || a.kind === 'unhide') && a.status === 'succeeded',
  );
  const last = done[done.length - 1];
  if (!last) return null;
  return last.kind === 'hide' ? `Hidden on ${platformDisplayName(d.comment.platform)}` : null;
}

function Deadline({ d }: { d: CommentDetail }): JSX.Element {
  const c = d.comment;
  const clockStart = c.deadlineClockStartedAt ?? c.postedAt;
  const inTime = c.firstResponseAt ? !c.deadlineAt || c.firstResponseAt <= c.deadlineAt : false;
  return (
    <>
      <p>
        Status:{' '}
        <strong class={`comment-status status-${c.status}`} safe>
          {c.status}
        </strong>
      </p>
      {c.deadlineAt ? (
        <>
          <p>
            Deadline <Time at={c.deadlineAt} />:{' '}
            <Time class="countdown" at={c.deadlineAt} data-posted={clockStart.toISOString()} />
          </p>
          {clockStart.getTime() > c.postedAt.getTime() ? (
            <p class="muted">
              Posted before the account was monitored: the deadline counts from when monitoring started,{' '}
              <Time at={clockStart} />.
            </p>
          ) : (
            ''
          )}
        </>
      ) : (
        <p class="muted">The deadline is being set.</p>
      )}
      {c.firstResponseAt ? (
        <p class={`deadline-result ${inTime ? 'in-time' : 'late'}`}>
          First response <Time at={c.firstResponseAt} />:{' '}
          {inTime ? 'responded in time' : 'responded after the deadline'}
        </p>
      ) : c.breachedAt ? (
        <p class="deadline-result late">
          Deadline missed <Time at={c.breachedAt} />
        </p>
      ) : (
        ''
      )}
      {c.assignee ? (
        <p>
          Assigned to <span safe>{c.assignee.name}</span>
        </p>
      ) : (
        ''
      )}
    </>
  );
}

/** Responses that always carry words of their own (text, note or reason), which redaction removes. */
const REDACTABLE_KINDS = new Set(['public_reply', 'private_reply', 'offline', 'no_response_needed']);

/** A sent reply: "remove it, sent in error" (002 §8), or that it was removed and why. */
/**
 * Where the platform's API can (Instagram), an admin turns commenting off on the post this comment
 * is under, at once, with a reason; and on again. Not offered where the platform cannot.
 */
function PostCommenting({ detail: d, csrfToken }: CommentPageProps): JSX.Element {
  const profile = platformProfile(d.comment.platform);
  if (!d.can.moderate || !profile.capabilities.turnOffComments) return '';
  return (
    <>
      <h3 id="h-post-commenting">Commenting on the post</h3>
      <p class="help" safe>
        {`Turn commenting off on this ${profile.displayName} post to stop a pile-on; the comments already there stay. It happens at once and is recorded with your reason.`}
      </p>
      <PostForm
        action={`/comments/${d.comment.id}/post-commenting`}
        csrfToken={csrfToken}
        class="stack-form post-commenting"
      >
        <label for="post-commenting-reason">Reason</label>
        <input id="post-commenting-reason" name="reason" required minlength="5" maxlength="2000" />
        <div class="button-row">
          <button type="submit" name="commenting" value="off">
            Turn commenting off
          </button>{' '}
          <button type="submit" name="commenting" value="on" class="secondary">
            Turn commenting on again
          </button>
        </div>
      </PostForm>
    </>
  );
}

function RemoveReply({
  d,
  r,
  csrfToken,
}: {
  d: CommentDetail;
  r: CommentDetail['responses'][number];
  csrfToken: string;
}): JSX.Element {
  if (r.removedAt)
    return (
      <p class="removed-reply">
        Removed from the platform <Time at={r.removedAt} />
        {': '}
        <PublicText text={r.removedReason ?? ''} />
      </p>
    );
  if (r.status !== 'sent' || r.kind !== 'public_reply' || !d.can.respond) return <></>;
  const id = `remove-reason-${r.id}`;
  return (
    <PostForm
      action={`/comments/${d.comment.id}/responses/${r.id}/remove`}
      csrfToken={csrfToken}
      class="inline-form remove-reply"
    >
      <label for={id}>Sent in error? Why</label>
      <input id={id} name="reason" required minlength="5" maxlength="2000" />
      <button type="submit">Remove from the platform</button>
    </PostForm>
  );
}

function Responses({ d, csrfToken }: { d: CommentDetail; csrfToken: string }): JSX.Element {
  if (!d.responses.length) return <p class="muted">No response yet.</p>;
  const held = d.comment.status === 'responded' && !d.comment.answeredAt;
  return (
    <>
      {held ? (
        <p class="follow-up-due">
          Held by a holding reply: in the <a href="/follow-ups">follow-up queue</a> until answered in full
          {d.comment.followUpDueAt ? (
            <>
              , due by <Time at={d.comment.followUpDueAt} />
            </>
          ) : (
            ''
          )}
          .
        </p>
      ) : (
        ''
      )}
      <ol class="responses">
        {d.responses.map((r) => (
          <li>
            <strong safe>{words(r.kind)}</strong> by <span safe>{r.actorName}</span>,{' '}
            <Time at={r.createdAt} /> ·{' '}
            <span class="response-status" safe>
              {words(r.status)}
            </span>
            {r.channel ? <span safe>{` · ${r.channel}`}</span> : ''}
            {r.contactPerson ? <span safe>{` with ${r.contactPerson}`}</span> : ''}
            {r.holding ? <span class="badge"> holding: full answer owed</span> : ''}
            {r.text ? (
              <p class="response-text">
                <PublicText text={r.text} />
              </p>
            ) : (
              ''
            )}
            {r.note ? (
              <p class="muted">
                <PublicText text={r.note} />
              </p>
            ) : (
              ''
            )}
            {d.comment.redacted && !r.text && !r.note && REDACTABLE_KINDS.has(r.kind) ? (
              <p class="muted">
                <em>Text redacted with the comment</em>
              </p>
            ) : (
              ''
            )}
            {r.error ? (
              <p class="flash-error">
                <PublicText text={r.error} />
              </p>
            ) : (
              ''
            )}
            <RemoveReply d={d} r={r} csrfToken={csrfToken} />
          </li>
        ))}
      </ol>
    </>
  );
}

function Composer(p: CommentPageProps): JSX.Element {
  const { detail: d, csrfToken, error, draft } = p;
  if (!d.can.respond)
    return (
      <>
        <FormError error={error} form="reply" />
        <p class="muted">Only comms staff, senior leaders and the account’s admins respond.</p>
      </>
    );
  const kind = draft?.kind ?? 'public_reply';
  const refused = error?.form === 'reply' && !!error.problems?.length;
  return (
    <>
      <PostForm
        action={`/comments/${d.comment.id}/reply`}
        csrfToken={csrfToken}
        class="composer"
        id="compose"
      >
        <FormError error={error} form="reply" draftText={draft?.text} />
        <PupilNotice people={p.people} />
        <PupilOverrideField people={p.people} />
        <label for="reply-kind">How</label>
        <select id="reply-kind" name="kind">
          <Option value="public_reply" label="Public reply on the platform" selected={kind} />
          <Option value="private_reply" label="Private reply (recorded)" selected={kind} />
          <Option
            value="acknowledgement"
            label="Holding reply on the platform (the school’s template if the box is empty)"
            selected={kind}
          />
          <Option value="offline" label="Offline contact (phone, meeting, email)" selected={kind} />
          <Option
            value="seen"
            label="Seen: internal note only (does not meet the deadline)"
            selected={kind}
          />
        </select>
        <fieldset class="offline-contact">
          <legend>Offline contact (only for “Offline contact”)</legend>
          <label for="contact-person">Who was contacted</label>
          <input id="contact-person" name="contactPerson" maxlength="200" />
          <label for="contact-channel">How</label>
          <select id="contact-channel" name="channel">
            <option value="phone">Phone</option>
            <option value="meeting">Meeting</option>
            <option value="email">Email</option>
          </select>
          <label>
            <input type="checkbox" name="holding" value="on" /> Holding contact only: the full answer is still
            owed
          </label>
          <p class="help">Write what was said in the Reply box.</p>
        </fieldset>
        <label for="reply-template">Saved reply</label>
        <select id="reply-template" name="template" class="reply-template">
          <option value="">None</option>
          {d.replyTemplates.map((t) => (
            <option value={t.id} data-text={t.text} safe>
              {t.title}
            </option>
          ))}
        </select>
        <p class="help">
          <a href={`/schools/${d.comment.schoolId}/saved-replies`}>Edit the school’s saved replies</a>
        </p>
        <label for="reply-text">Reply</label>
        <textarea id="reply-text" name="text" rows="5" maxlength="10000" aria-describedby="reply-limit" safe>
          {draft?.text ?? ''}
        </textarea>
        <p class="help" id="reply-limit" safe>
          {replyLimitText(d.comment.platform)}
        </p>
        <p class="help">
          Every reply is checked before it goes out: no pupil names, personal data or offensive language, and
          nothing about a pupil's circumstances (P11).
          {d.available.notices.signOff === 'off'
            ? ''
            : d.available.notices.signOff === 'initials'
              ? ' It is signed with your initials.'
              : ' It is signed with your role.'}
        </p>
        <label for="request-approval" class="checkbox">
          <input type="checkbox" id="request-approval" name="requestApproval" value="on" /> Ask a senior
          leader to approve it before it goes
        </label>
        <p class="help" safe>
          {`A reply touching ${d.available.notices.sensitiveTopics.join(', ').toLowerCase() || 'a sensitive topic'} waits for a senior leader's approval anyway (P10).`}
        </p>
        {refused && d.can.overrideCheck ? (
          <>
            <label for="override-reason">Send anyway: reason (senior leaders only)</label>
            <input id="override-reason" name="overrideReason" maxlength="2000" />
          </>
        ) : (
          ''
        )}
        <button type="submit">Send</button>
      </PostForm>
      {d.can.close ? (
        <PostForm action={`/comments/${d.comment.id}/close`} csrfToken={csrfToken} class="inline-form">
          <FormError error={error} form="close" />
          <label for="close-reason">No response needed because</label>
          <input id="close-reason" name="reason" required maxlength="2000" />
          <button type="submit">Close</button>
        </PostForm>
      ) : (
        ''
      )}
    </>
  );
}

function AssignForm(p: CommentPageProps): JSX.Element {
  const d = p.detail;
  if (!d.can.assign) return '';
  const current = d.comment.assignee?.id ?? '';
  return (
    <PostForm
      action={`/comments/${d.comment.id}/assign`}
      csrfToken={p.csrfToken}
      class="inline-form"
      id="assign"
    >
      <FormError error={p.error} form="assign" />
      <label for="assignee">Assign to</label>
      <select id="assignee" name="assigneeId">
        <Option value="" label="Nobody" selected={current} />
        {d.assignable.map((u) => (
          <Option value={u.id} label={u.name} selected={current} />
        ))}
      </select>
      <button type="submit">Assign</button>
    </PostForm>
  );
}

function PendingAction({ p, a }: { p: CommentPageProps; a: CommentDetail['actions'][number] }): JSX.Element {
  const { detail: d, csrfToken } = p;
  const mine = a.proposedBy?.id === d.viewerId;
  const base = `/comments/${d.comment.id}/actions/${a.id}`;
  return (
    <li class="pending-action" data-action-id={a.id}>
      <strong safe>{a.kind}</strong> proposed by <span safe>{a.proposedBy?.name ?? 'the system'}</span> (
      <span safe>{words(a.reasonCategory)}</span>: <PublicText text={a.reasonText} />) —{' '}
      <span class="waiting">waiting for a second admin</span>
      {a.expiresAt ? (
        <>
          , expires <Time at={a.expiresAt} />
        </>
      ) : (
        ''
      )}
      {!d.can.moderate ? (
        ''
      ) : mine ? (
        <PostForm action={`${base}/reject`} csrfToken={csrfToken} class="inline-form">
          <input type="hidden" name="reason" value="Withdrawn by the proposer" />
          <button type="submit">Withdraw</button>
        </PostForm>
      ) : (
        <>
          <PostForm action={`${base}/confirm`} csrfToken={csrfToken} class="inline-form">
            <button type="submit" class="confirm-action" safe>{`Confirm ${a.kind}`}</button>
          </PostForm>
          <PostForm action={`${base}/reject`} csrfToken={csrfToken} class="inline-form">
            <label for={`reject-${a.id}`}>Reason</label>
            <input id={`reject-${a.id}`} name="reason" required maxlength="2000" />
            <button type="submit">Reject</button>
          </PostForm>
        </>
      )}
    </li>
  );
}

function ModerateForm(p: CommentPageProps): JSX.Element {
  const { detail: d, csrfToken, error } = p;
  const manual = d.available.actions.filter((a) => a.note);
  return (
    <>
      <PostForm
        action={`/comments/${d.comment.id}/act`}
        csrfToken={csrfToken}
        class="moderate-form"
        id="moderate"
      >
        <FormError error={error} form="act" />
        <label for="action-kind">Action</label>
        <select id="action-kind" name="kind">
          {d.available.actions.map((a) => (
            <Option
              value={a.kind}
              label={`${sentenceCase(words(a.kind))}${a.mode === 'manual' ? ' (by hand on the platform)' : ''}${
                a.approval === 'two_admins' ? ' — needs a second admin' : ''
              }`}
              selected={p.preselect}
            />
          ))}
        </select>
        <label for="reason-category">Reason</label>
        <select id="reason-category" name="reasonCategory">
          {REASON_CATEGORIES.map((r) => (
            <Option value={r} label={sentenceCase(words(r))} />
          ))}
        </select>
        <label for="reason-text">Why (recorded in the audit log)</label>
        <input id="reason-text" name="reasonText" required maxlength="2000" />
        <label for="notice-choice">Public notice (P3: tell the audience exactly why)</label>
        <select id="notice-choice" name="notice">
          <option value="default" selected>
            {d.available.notices.byDefault
              ? 'Hide or delete: say which house rule it broke (other actions: none)'
              : 'None unless chosen below'}
          </option>
          <option value="yes">Say which house rule it broke (hide, delete or block)</option>
          <option value="no">No public notice</option>
          <option value="parent">
            Parent: ask them to remove it and talk to us (a notice on its own, while the comment is up)
          </option>
        </select>
        <label for="house-rule">House rule broken (the notice cites it by name)</label>
        <select id="house-rule" name="houseRule">
          <option value="">The rule for the reason above</option>
          {d.available.notices.houseRules.map((r) => (
            <Option value={r.id} label={r.name} />
          ))}
        </select>
        <button type="submit">Act or propose</button>
      </PostForm>
      {manual.length ? (
        <ul class="muted action-notes">
          {manual.map((a) => (
            <li>
              <strong safe>{sentenceCase(words(a.kind))}</strong>: <span safe>{a.note}</span>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </>
  );
}

/**
 * A comment its platform holds back (YouTube): nobody else sees it until an account admin
 * publishes it (an unhide there) or rejects it (a delete, so the second admin confirms).
 */
function HeldForReview(p: CommentPageProps): JSX.Element {
  const { detail: d, csrfToken } = p;
  const platform = platformDisplayName(d.comment.platform);
  const under = (kind: 'unhide' | 'delete') =>
    d.actions.some(
      (a) => a.kind === kind && ['proposed', 'approved', 'queued', 'executing'].includes(a.status),
    );
  const can = (kind: 'unhide' | 'delete') =>
    d.can.moderate && d.available.actions.some((a) => a.kind === kind && a.mode === 'platform');
  const twoAdminReject = d.available.actions.some((a) => a.kind === 'delete' && a.approval === 'two_admins');
  return (
    <div class="held-for-review" id="held-for-review">
      <p>
        <strong safe>{`${heldByPlatformText(d.comment.platform)}.`}</strong>{' '}
        <span
          safe
        >{`Nobody else sees it on ${platform} until an account admin publishes or rejects it.`}</span>
      </p>
      {can('unhide') && !under('unhide') ? (
        <PostForm action={`/comments/${d.comment.id}/act`} csrfToken={csrfToken} class="inline-form">
          <input type="hidden" name="kind" value="unhide" />
          <input type="hidden" name="reasonCategory" value="other" />
          <input type="hidden" name="notice" value="no" />
          <label for="held-publish-why">Why publish it (recorded in the audit log)</label>
          <input id="held-publish-why" name="reasonText" required maxlength="2000" />
          <button type="submit">Publish</button>
        </PostForm>
      ) : (
        ''
      )}
      {can('delete') && !under('delete') ? (
        <PostForm action={`/comments/${d.comment.id}/act`} csrfToken={csrfToken} class="inline-form">
          <input type="hidden" name="kind" value="delete" />
          <input type="hidden" name="notice" value="no" />
          <label for="held-reject-reason">Reason</label>
          <select id="held-reject-reason" name="reasonCategory">
            {REASON_CATEGORIES.map((r) => (
              <Option value={r} label={sentenceCase(words(r))} />
            ))}
          </select>
          <label for="held-reject-why">Why reject it (recorded in the audit log)</label>
          <input id="held-reject-why" name="reasonText" required maxlength="2000" />
          <button type="submit" class="secondary">
            {twoAdminReject ? 'Reject (needs a second admin)' : 'Reject'}
          </button>
        </PostForm>
      ) : (
        ''
      )}
    </div>
  );
}

function ActionsSection(p: CommentPageProps): JSX.Element {
  const { detail: d, error } = p;
  const pending = d.actions.filter((a) => a.status === 'proposed');
  const others = d.actions.filter((a) => a.status !== 'proposed');
  return (
    <>
      {d.can.moderate ? '' : <FormError error={error} form="act" />}
      {pending.length ? (
        <ul class="pending-actions">
          {pending.map((a) => (
            <PendingAction p={p} a={a} />
          ))}
        </ul>
      ) : (
        ''
      )}
      <FormError error={error} form="confirm" />
      <FormError error={error} form="reject" />
      {others.length ? (
        <ul class="actions-done">
          {others.map((a) => (
            <ActionOutcomeItem
              action={a}
              commentId={d.comment.id}
              csrfToken={p.csrfToken}
              canAct={d.can.moderate}
            />
          ))}
        </ul>
      ) : (
        ''
      )}
      {d.comment.heldByPlatform ? <HeldForReview {...p} /> : ''}
      {d.can.moderate ? (
        <ModerateForm {...p} />
      ) : (
        <p class="muted">Only the account’s admins act on its comments.</p>
      )}
    </>
  );
}

function EscalateSection(p: CommentPageProps): JSX.Element {
  const { detail: d } = p;
  const list = d.escalations.length ? (
    <ul class="escalations">
      {d.escalations.map((x) => (
        <li>
          <strong safe>{words(x.kind)}</strong> <span safe>{`(${x.status})`}</span> <Time at={x.createdAt} />
          {x.raisedByName ? <span safe>{` raised by ${x.raisedByName}`}</span> : ''}:{' '}
          <PublicText text={x.reason} />
        </li>
      ))}
    </ul>
  ) : (
    ''
  );
  if (!d.can.escalate)
    return (
      <>
        <FormError error={p.error} form="escalate" />
        {list}
      </>
    );
  return (
    <>
      {list}
      <PostForm
        action={`/comments/${d.comment.id}/escalate`}
        csrfToken={p.csrfToken}
        class="inline-form"
        id="escalate"
      >
        <FormError error={p.error} form="escalate" />
        <label for="escalation-kind">To</label>
        <select id="escalation-kind" name="kind">
          {d.available.escalationKinds.map((k) => (
            <Option
              value={k}
              label={words(k)}
              selected={p.preselect === 'escalate' ? 'safeguarding' : undefined}
            />
          ))}
        </select>
        <label for="escalation-reason">Why</label>
        <input id="escalation-reason" name="reason" required maxlength="4000" />
        <label for="external-reference">Reference (police or platform)</label>
        <input id="external-reference" name="externalReference" maxlength="200" />
        <button type="submit">Escalate</button>
      </PostForm>
    </>
  );
}

function HistoryTable({ d }: { d: CommentDetail }): JSX.Element {
  if (!d.history.length) return <p class="muted">Nothing recorded yet.</p>;
  return (
    <table class="history">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">On</th>
        </tr>
      </thead>
      <tbody>
        {d.history.map((h) => (
          <tr>
            <td>
              <Time at={h.at} />
            </td>
            <td>
              <ActorName name={h.actor} system={h.actorType === 'system'} />
            </td>
            <td safe>{auditActionLabel(h.action)}</td>
            <td>
              {h.subjectType === 'comment' && h.subjectId === d.comment.id ? (
                <CommentName
                  label={commentLabelOf(d.comment, currentTimeZone(), namesPeople(d.comment.platform))}
                />
              ) : (
                <PublicText text={h.subject} />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One comment: why it was flagged, its thread, deadline, responses, actions and history. */
export function CommentPage(props: CommentPageProps): JSX.Element {
  const d = props.detail;
  const c = d.comment;
  const spans = c.labels.flatMap((l) => l.spans);
  const link = c.url && /^https:\/\//.test(c.url) ? c.url : null;
  const hidden = hiddenState(d);
  return (
    <Layout title="Comment" user={props.user} csrfToken={props.csrfToken} current="inbox">
      <main id="main" class="comment-page">
        <p>
          <a href="/">← Inbox</a>
        </p>
        <h1>
          Comment on <AccountName platform={c.platform} handle={c.accountHandle} />
        </h1>
        <Flash flash={props.flash} />
        <article class={`comment-detail status-${c.status}`} data-comment-id={c.id}>
          <div class="comment-meta">
            <Author redacted={c.redacted} name={c.authorName} handle={c.authorHandle} platform={c.platform} />{' '}
            <Time at={c.postedAt} />
            {hidden ? (
              <>
                {' '}
                <span class="badge hidden-badge" safe>
                  {hidden}
                </span>
              </>
            ) : (
              ''
            )}
            {c.heldByPlatform ? (
              <>
                {' '}
                <span class="badge held-badge" safe>
                  {heldByPlatformText(c.platform)}
                </span>
              </>
            ) : (
              ''
            )}
          </div>
          <p class="comment-text" id="comment-text">
            {c.redacted ? (
              <em>Redacted under the retention policy</em>
            ) : (
              <HighlightedText text={c.text} spans={spans} />
            )}
          </p>
          {c.textTruncated ? <p class="muted">The comment was cut to 10,000 characters.</p> : ''}
          {link ? (
            <a class="platform-link" href={link} rel="noopener noreferrer" target="_blank" safe>
              {`View on ${platformDisplayName(c.platform)}`}
            </a>
          ) : (
            ''
          )}
        </article>
        <section aria-labelledby="h-why">
          <h2 id="h-why">Why it was flagged</h2>
          <WhyFlagged d={d} />
          <MediaEnquiry
            commentId={c.id}
            approvers={props.mediaApprovers ?? null}
            canMark={d.can.correct}
            csrfToken={props.csrfToken}
          />
          {d.can.correct ? (
            <TeachClassifier
              commentId={c.id}
              labels={c.labels}
              csrfToken={props.csrfToken}
              error={props.error}
            />
          ) : (
            ''
          )}
        </section>
        <section aria-labelledby="h-deadline" class="deadline-box">
          <h2 id="h-deadline">Deadline</h2>
          <Deadline d={d} />
          <AssignForm {...props} />
        </section>
        <section aria-labelledby="h-responses">
          <h2 id="h-responses">Responses</h2>
          <FormError error={props.error} form="remove-reply" />
          <Responses d={d} csrfToken={props.csrfToken} />
          <Composer {...props} />
        </section>
        <section aria-labelledby="h-actions">
          <h2 id="h-actions">Moderation</h2>
          <ActionsSection {...props} />
          <FormError error={props.error} form="post-commenting" />
          <PostCommenting {...props} />
        </section>
        {props.detail.can.raiseConcern ? (
          <section aria-labelledby="h-concern">
            <h2 id="h-concern">Raise a concern</h2>
            <RaiseConcernForms commentId={props.detail.comment.id} csrfToken={props.csrfToken} />
          </section>
        ) : (
          ''
        )}
        <section aria-labelledby="h-escalate">
          <h2 id="h-escalate">Escalate</h2>
          <EscalateSection {...props} />
        </section>
        <section aria-labelledby="h-who">
          <h2 id="h-who">Who wrote it</h2>
          <FormError error={props.error} form="author" />
          <WhoWroteIt commentId={c.id} people={props.people} csrfToken={props.csrfToken} />
        </section>
        <section aria-labelledby="h-thread">
          <h2 id="h-thread">The thread</h2>
          <SummaryList
            items={d.thread}
            platform={d.comment.platform}
            empty="No other comments of this conversation are stored."
          />
        </section>
        <section aria-labelledby="h-author">
          <h2 id="h-author">The author’s earlier comments here</h2>
          <SummaryList
            items={d.authorHistory}
            platform={d.comment.platform}
            empty="No earlier comments from this author at this school."
          />
        </section>
        <section aria-labelledby="h-history">
          <h2 id="h-history">History</h2>
          <HistoryTable d={d} />
        </section>
      </main>
    </Layout>
  );
}
