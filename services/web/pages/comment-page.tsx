import { escapeHtml } from '@kitajs/html';
import type { CommentDetail, CommentSummary } from '../../comments/get-comment-detail.js';
import { REASON_CATEGORIES } from '../../moderation/action-rules.js';
import { HighlightedText } from '../components/highlighted-text.js';
import { AuthorName, PublicHandle, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { TeachClassifier } from '../components/teach-classifier.js';
import { Layout } from '../layout.js';

/** A refusal or the outgoing check's problems, shown above the form that caused them. */
export interface CommentPageError {
  /** Which form: reply, close, assign, act, escalate, confirm, reject. */
  form: string;
  /** Plain text; escaped here. */
  message: string;
  /** The outgoing check's problems (reason and offsets into the draft), when the reply was refused. */
  problems?: { reason: string; spans: [number, number][] }[];
}

export interface CommentPageProps {
  detail: CommentDetail;
  user: NavUser;
  csrfToken: string;
  now: Date;
  /** Plain text from a fixed list (never from the request); escaped here. */
  notice?: string | undefined;
  error?: CommentPageError | undefined;
  /** What the person typed, kept when a form is refused. */
  draft?: { kind?: string; text?: string } | undefined;
  /** Preselects a moderation kind (the inbox's `h` shortcut opens the page with `do=hide`). */
  preselect?: string | undefined;
}

const e = (value: unknown) => escapeHtml(String(value ?? ''));
const dt = (d: Date | null | undefined) =>
  d
    ? `<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`
    : '—';
const words = (s: string) => e(s.replaceAll('_', ' '));

function csrf(token: string): string {
  return `<input type="hidden" name="_csrf" value="${e(token)}" />`;
}

function option(value: string, label: string, selected?: string): string {
  return `<option value="${e(value)}"${value === selected ? ' selected' : ''}>${e(label)}</option>`;
}

function errorFor(error: CommentPageError | undefined, form: string, draftText?: string): string {
  if (!error || error.form !== form) return '';
  const problems = error.problems?.length
    ? `<ul class="problems">${error.problems.map((p) => `<li>${e(p.reason)}</li>`).join('')}</ul>` +
      (draftText
        ? `<p class="draft-check">Your draft, with the problems marked: ${HighlightedText({
            text: draftText,
            spans: error.problems.flatMap((p) => p.spans),
          })}</p>`
        : '')
    : '';
  return `<div class="flash flash-error form-error" role="alert"><p>${e(error.message)}</p>${problems}</div>`;
}

function summaryList(items: CommentSummary[], empty: string): string {
  if (!items.length) return `<p class="muted">${e(empty)}</p>`;
  return `<ol class="mini-comments">${items
    .map(
      (c) =>
        `<li class="${c.current ? 'current' : ''}">` +
        `<span class="author">${c.redacted ? 'Redacted' : AuthorName({ name: c.authorName, handle: c.authorHandle })}</span> ` +
        `${dt(c.postedAt)} <span class="status status-${e(c.status)}">${e(c.status)}</span>` +
        `<p class="comment-text">${c.redacted ? '<em>Redacted under the retention policy</em>' : PublicText({ text: c.text })}</p>` +
        (c.current
          ? '<span class="muted">(this comment)</span>'
          : `<a href="/comments/${e(c.id)}">Open</a>`) +
        '</li>',
    )
    .join('')}</ol>`;
}

function whyFlagged(d: CommentDetail): string {
  const { labels, text } = d.comment;
  if (!labels.length) return '<p class="muted">Not flagged: the classifier found nothing to label.</p>';
  return `<ul class="why-flagged">${labels
    .map((l) => {
      const matched = l.spans
        .map(([s, end]) => text.slice(Math.max(0, s), Math.max(0, end)))
        .filter((w) => w.length > 0);
      return (
        `<li class="label-${e(l.category)} severity-${e(l.severity)}">` +
        `<strong>${words(l.category)}</strong>: ${words(l.subcategory)} · ` +
        `<span class="severity">${e(l.severity)} severity</span> · rule <code>${e(l.source)}</code>` +
        (matched.length
          ? ` · matched ${matched.map((w) => `<mark>${PublicText({ text: w })}</mark>`).join(', ')}`
          : '') +
        '</li>'
      );
    })
    .join('')}</ul>`;
}

function hiddenState(d: CommentDetail): string | null {
  const done = d.actions.filter(
    (a) => (a.kind === 'hide' || a.kind === 'unhide') && a.status === 'succeeded',
  );
  const last = done[done.length - 1];
  if (!last) return null;
  return last.kind === 'hide' ? `Hidden on ${d.comment.platform === 'x' ? 'X' : d.comment.platform}` : null;
}

function deadline(d: CommentDetail): string {
  const c = d.comment;
  const parts = [
    `<p>Status: <strong class="comment-status status-${e(c.status)}">${e(c.status)}</strong></p>`,
  ];
  if (c.deadlineAt) {
    const clockStart = c.deadlineClockStartedAt ?? c.postedAt;
    parts.push(
      `<p>Deadline ${dt(c.deadlineAt)}: <time class="countdown" datetime="${c.deadlineAt.toISOString()}" data-posted="${clockStart.toISOString()}">${c.deadlineAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</time></p>`,
    );
    if (clockStart.getTime() > c.postedAt.getTime()) {
      parts.push(
        `<p class="muted">Posted before the account was monitored: the deadline counts from when monitoring started, ${dt(clockStart)}.</p>`,
      );
    }
  } else {
    parts.push('<p class="muted">The deadline is being set.</p>');
  }
  if (c.firstResponseAt) {
    const inTime = !c.deadlineAt || c.firstResponseAt <= c.deadlineAt;
    parts.push(
      `<p class="deadline-result ${inTime ? 'in-time' : 'late'}">First response ${dt(c.firstResponseAt)}: ${
        inTime ? 'responded in time' : 'responded after the deadline'
      }</p>`,
    );
  } else if (c.breachedAt) {
    parts.push(`<p class="deadline-result late">Deadline missed ${dt(c.breachedAt)}</p>`);
  }
  if (c.assignee) parts.push(`<p>Assigned to <span>${e(c.assignee.name)}</span></p>`);
  return parts.join('');
}

/** Responses that always carry words of their own (text, note or reason), which redaction removes. */
const REDACTABLE_KINDS = new Set(['public_reply', 'private_reply', 'offline', 'no_response_needed']);

function responsesList(d: CommentDetail): string {
  if (!d.responses.length) return '<p class="muted">No response yet.</p>';
  return `<ol class="responses">${d.responses
    .map(
      (r) =>
        `<li><strong>${words(r.kind)}</strong> by ${e(r.actorName)}, ${dt(r.createdAt)} · <span class="response-status">${words(r.status)}</span>` +
        (r.channel ? ` · ${e(r.channel)}` : '') +
        (r.text ? `<p class="response-text">${PublicText({ text: r.text })}</p>` : '') +
        (r.note ? `<p class="muted">${PublicText({ text: r.note })}</p>` : '') +
        (d.comment.redacted && !r.text && !r.note && REDACTABLE_KINDS.has(r.kind)
          ? '<p class="muted"><em>Text redacted with the comment</em></p>'
          : '') +
        (r.error ? `<p class="flash-error">${PublicText({ text: r.error })}</p>` : '') +
        '</li>',
    )
    .join('')}</ol>`;
}

function composer(p: CommentPageProps): string {
  const { detail: d, csrfToken, error, draft } = p;
  if (!d.can.respond)
    return `${errorFor(error, 'reply')}<p class="muted">Only comms staff, senior leaders and the account’s admins respond.</p>`;
  const kind = draft?.kind ?? 'public_reply';
  const templates = d.replyTemplates
    .map((t) => `<option value="${e(t.id)}" data-text="${e(t.text)}">${e(t.title)}</option>`)
    .join('');
  const refused = error?.form === 'reply' && !!error.problems?.length;
  return (
    `<form method="post" action="/comments/${e(d.comment.id)}/reply" class="composer" id="compose">` +
    csrf(csrfToken) +
    errorFor(error, 'reply', draft?.text) +
    '<label for="reply-kind">How</label>' +
    `<select id="reply-kind" name="kind">${option('public_reply', 'Public reply on the platform', kind)}${option(
      'private_reply',
      'Private reply (recorded)',
      kind,
    )}${option('acknowledgement', 'Acknowledge (seen, will follow up)', kind)}</select>` +
    '<label for="reply-template">Template</label>' +
    `<select id="reply-template" name="template" class="reply-template"><option value="">None</option>${templates}</select>` +
    '<label for="reply-text">Reply</label>' +
    `<textarea id="reply-text" name="text" rows="5" maxlength="10000">${e(draft?.text ?? '')}</textarea>` +
    '<p class="help">Every reply is checked before it goes out: no pupil names, personal data or offensive language (P11).</p>' +
    (refused
      ? '<label for="override-reason">Send anyway: reason (senior leaders only)</label><input id="override-reason" name="overrideReason" maxlength="2000" />'
      : '') +
    '<button type="submit">Send</button></form>' +
    (d.can.close
      ? `<form method="post" action="/comments/${e(d.comment.id)}/close" class="inline-form">${csrf(csrfToken)}${errorFor(
          error,
          'close',
        )}<label for="close-reason">No response needed because</label><input id="close-reason" name="reason" required maxlength="2000" /><button type="submit">Close</button></form>`
      : '')
  );
}

function assignForm(p: CommentPageProps): string {
  const d = p.detail;
  if (!d.can.assign) return '';
  const current = d.comment.assignee?.id ?? '';
  return (
    `<form method="post" action="/comments/${e(d.comment.id)}/assign" class="inline-form" id="assign">${csrf(p.csrfToken)}` +
    errorFor(p.error, 'assign') +
    `<label for="assignee">Assign to</label><select id="assignee" name="assigneeId">${option('', 'Nobody', current)}${d.assignable
      .map((u) => option(u.id, u.name, current))
      .join('')}</select><button type="submit">Assign</button></form>`
  );
}

function actionsSection(p: CommentPageProps): string {
  const { detail: d, csrfToken, error } = p;
  const pending = d.actions
    .filter((a) => a.status === 'proposed')
    .map((a) => {
      const mine = a.proposedBy?.id === d.viewerId;
      const base = `/comments/${e(d.comment.id)}/actions/${e(a.id)}`;
      const controls = !d.can.moderate
        ? ''
        : mine
          ? `<form method="post" action="${base}/reject" class="inline-form">${csrf(csrfToken)}<input type="hidden" name="reason" value="Withdrawn by the proposer" /><button type="submit">Withdraw</button></form>`
          : `<form method="post" action="${base}/confirm" class="inline-form">${csrf(csrfToken)}<button type="submit" class="confirm-action">Confirm ${e(a.kind)}</button></form>` +
            `<form method="post" action="${base}/reject" class="inline-form">${csrf(csrfToken)}<label for="reject-${e(a.id)}">Reason</label><input id="reject-${e(a.id)}" name="reason" required maxlength="2000" /><button type="submit">Reject</button></form>`;
      return (
        `<li class="pending-action" data-action-id="${e(a.id)}"><strong>${e(a.kind)}</strong> proposed by ${e(
          a.proposedBy?.name ?? 'the system',
        )} (${words(a.reasonCategory)}: ${PublicText({ text: a.reasonText })}) — <span class="waiting">waiting for a second admin</span>` +
        (a.expiresAt ? `, expires ${dt(a.expiresAt)}` : '') +
        controls +
        '</li>'
      );
    })
    .join('');
  const others = d.actions
    .filter((a) => a.status !== 'proposed')
    .map(
      (a) =>
        `<li class="action action-${e(a.status)}"><strong>${e(a.kind)}</strong>: <span class="action-status">${e(a.status)}</span>` +
        ` · proposed by ${e(a.proposedBy?.name ?? 'the system')}` +
        (a.confirmedBy && a.confirmedBy.id !== a.proposedBy?.id
          ? `, confirmed by ${e(a.confirmedBy.name)}`
          : '') +
        (a.error ? ` · <span class="flash-error">${PublicText({ text: a.error })}</span>` : '') +
        '</li>',
    )
    .join('');
  let form = '';
  if (d.can.moderate) {
    const kinds = d.available.actions
      .map((a) =>
        option(
          a.kind,
          `${a.kind}${a.mode === 'manual' ? ' (by hand on the platform)' : ''}${
            a.approval === 'two_admins' ? ' — needs a second admin' : ''
          }`,
          p.preselect,
        ),
      )
      .join('');
    const manual = d.available.actions.filter((a) => a.note);
    form =
      `<form method="post" action="/comments/${e(d.comment.id)}/act" class="moderate-form" id="moderate">${csrf(csrfToken)}` +
      errorFor(error, 'act') +
      `<label for="action-kind">Action</label><select id="action-kind" name="kind">${kinds}</select>` +
      `<label for="reason-category">Reason</label><select id="reason-category" name="reasonCategory">${REASON_CATEGORIES.map(
        (r) => option(r, r.replaceAll('_', ' ')),
      ).join('')}</select>` +
      '<label for="reason-text">Why (recorded in the audit log)</label><input id="reason-text" name="reasonText" required maxlength="2000" />' +
      `<label for="notice-template">Public notice</label><select id="notice-template" name="noticeTemplate"><option value="">No notice</option>${d.available.noticeTemplates
        .map((t) => option(t.id, t.title))
        .join('')}</select>` +
      '<button type="submit">Act or propose</button></form>' +
      (manual.length
        ? `<ul class="muted">${manual.map((a) => `<li>${e(a.kind)}: ${e(a.note)}</li>`).join('')}</ul>`
        : '');
  } else {
    form = '<p class="muted">Only the account’s admins act on its comments.</p>';
  }
  return (
    (d.can.moderate ? '' : errorFor(error, 'act')) +
    (pending ? `<ul class="pending-actions">${pending}</ul>` : '') +
    errorFor(error, 'confirm') +
    errorFor(error, 'reject') +
    (others ? `<ul class="actions-done">${others}</ul>` : '') +
    form
  );
}

function escalateSection(p: CommentPageProps): string {
  const { detail: d } = p;
  const list = d.escalations.length
    ? `<ul class="escalations">${d.escalations
        .map(
          (x) =>
            `<li><strong>${words(x.kind)}</strong> (${e(x.status)}) ${dt(x.createdAt)}: ${PublicText({ text: x.reason })}</li>`,
        )
        .join('')}</ul>`
    : '';
  if (!d.can.escalate) return errorFor(p.error, 'escalate') + list;
  return (
    list +
    `<form method="post" action="/comments/${e(d.comment.id)}/escalate" class="inline-form" id="escalate">${csrf(p.csrfToken)}` +
    errorFor(p.error, 'escalate') +
    `<label for="escalation-kind">To</label><select id="escalation-kind" name="kind">${d.available.escalationKinds
      .map((k) => option(k, k.replaceAll('_', ' '), p.preselect === 'escalate' ? 'safeguarding' : undefined))
      .join('')}</select>` +
    '<label for="escalation-reason">Why</label><input id="escalation-reason" name="reason" required maxlength="4000" />' +
    '<label for="external-reference">Reference (police or platform)</label><input id="external-reference" name="externalReference" maxlength="200" />' +
    '<button type="submit">Escalate</button></form>'
  );
}

function historyTable(d: CommentDetail): string {
  if (!d.history.length) return '<p class="muted">Nothing recorded yet.</p>';
  return `<table class="history"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">On</th></tr></thead><tbody>${d.history
    .map(
      (h) =>
        `<tr><td>${dt(h.at)}</td><td>${PublicText({ text: h.actor })}</td><td>${e(h.action)}</td><td>${PublicText({ text: h.subject })}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/** One comment: why it was flagged, its thread, deadline, responses, actions and history. */
export function CommentPage(props: CommentPageProps): JSX.Element {
  const d = props.detail;
  const c = d.comment;
  const spans = c.labels.flatMap((l) => l.spans);
  const link = c.url && /^https:\/\//.test(c.url) ? c.url : null;
  const hidden = hiddenState(d);
  const body =
    `<p><a href="/">← Inbox</a></p>` +
    `<h1>Comment on ${PublicHandle({ handle: c.accountHandle })}</h1>` +
    (props.notice ? `<p class="flash flash-ok" role="status">${e(props.notice)}</p>` : '') +
    `<article class="comment-detail status-${e(c.status)}" data-comment-id="${e(c.id)}">` +
    `<div class="comment-meta"><span class="author">${c.redacted ? 'Redacted' : AuthorName({ name: c.authorName, handle: c.authorHandle })}</span> ${dt(c.postedAt)}` +
    (hidden ? ` <span class="badge hidden-badge">${e(hidden)}</span>` : '') +
    '</div>' +
    `<p class="comment-text" id="comment-text">${
      c.redacted ? '<em>Redacted under the retention policy</em>' : HighlightedText({ text: c.text, spans })
    }</p>` +
    (c.textTruncated ? '<p class="muted">The comment was cut to 10,000 characters.</p>' : '') +
    (link
      ? `<a class="platform-link" href="${e(link)}" rel="noopener noreferrer" target="_blank">View on X</a>`
      : '') +
    '</article>' +
    `<section aria-labelledby="h-why"><h2 id="h-why">Why it was flagged</h2>${whyFlagged(d)}${
      d.can.correct
        ? TeachClassifier({
            commentId: c.id,
            labels: c.labels,
            csrfToken: props.csrfToken,
            error: props.error,
          })
        : ''
    }</section>` +
    `<section aria-labelledby="h-deadline" class="deadline-box"><h2 id="h-deadline">Deadline</h2>${deadline(d)}${assignForm(props)}</section>` +
    `<section aria-labelledby="h-responses"><h2 id="h-responses">Responses</h2>${responsesList(d)}${composer(props)}</section>` +
    `<section aria-labelledby="h-actions"><h2 id="h-actions">Moderation</h2>${actionsSection(props)}</section>` +
    `<section aria-labelledby="h-escalate"><h2 id="h-escalate">Escalate</h2>${escalateSection(props)}</section>` +
    `<section aria-labelledby="h-thread"><h2 id="h-thread">The thread</h2>${summaryList(d.thread, 'No other comments of this conversation are stored.')}</section>` +
    `<section aria-labelledby="h-author"><h2 id="h-author">The author’s earlier comments here</h2>${summaryList(
      d.authorHistory,
      'No earlier comments from this author at this school.',
    )}</section>` +
    `<section aria-labelledby="h-history"><h2 id="h-history">History</h2>${historyTable(d)}</section>`;
  return (
    <Layout title="Comment" user={props.user} csrfToken={props.csrfToken} current="inbox">
      <main id="main" class="comment-page">
        {body}
      </main>
    </Layout>
  );
}
