import type { ActionOutcome, NextStep } from '../../moderation/action-outcome.js';
import { PostForm } from './kit.js';
import { PublicText } from './public-text.js';

/** What the outcome list needs of one action. */
export interface OutcomeAction {
  id: string;
  kind: string;
  outcome: ActionOutcome;
  proposedBy: { id: string; name: string } | null;
  confirmedBy: { id: string; name: string } | null;
}

/** The form that records an action done by hand in the platform's app (evidence link optional). */
export function RecordByHandForm({
  commentId,
  actionId,
  csrfToken,
}: {
  commentId: string;
  actionId: string;
  csrfToken: string;
}): JSX.Element {
  const evidence = `evidence-${actionId}`;
  const note = `record-note-${actionId}`;
  return (
    <PostForm
      action={`/comments/${commentId}/actions/${actionId}/record`}
      csrfToken={csrfToken}
      class="stack-form record-form"
    >
      <fieldset>
        <legend>Record what was done by hand</legend>
        <label for={evidence}>Link to a screenshot or the platform's confirmation (optional)</label>
        <input id={evidence} name="evidenceUrl" type="url" maxlength="2000" inputmode="url" />
        <label for={note}>Note (optional)</label>
        <input id={note} name="note" maxlength="2000" />
        <button type="submit">Record it as done</button>
      </fieldset>
    </PostForm>
  );
}

function Step({
  step,
  commentId,
  csrfToken,
}: {
  step: NextStep;
  commentId: string;
  csrfToken: string;
}): JSX.Element {
  switch (step.step) {
    case 'retry':
      return (
        <PostForm
          action={`/comments/${commentId}/actions/${step.actionId}/retry`}
          csrfToken={csrfToken}
          class="inline-form"
        >
          <button type="submit" safe>
            {step.label}
          </button>
        </PostForm>
      );
    case 'record_by_hand':
      return <RecordByHandForm commentId={commentId} actionId={step.actionId} csrfToken={csrfToken} />;
    case 'take_action':
      return (
        <a class="button-link" href={`/comments/${commentId}?do=${step.kind}#moderate`} safe>
          {step.label}
        </a>
      );
    case 'reconnect':
      return (
        <a class="button-link" href={`/accounts/${step.accountId}`} safe>
          {step.label}
        </a>
      );
  }
}

/**
 * One action as it really stands: queued says queued, a refusal says why in plain words, and the
 * next steps the platform allows are offered to the people who may take them.
 */
export function ActionOutcomeItem({
  action: a,
  commentId,
  csrfToken,
  canAct,
}: {
  action: OutcomeAction;
  commentId: string;
  csrfToken: string;
  canAct: boolean;
}): JSX.Element {
  const { outcome } = a;
  const steps = canAct ? outcome.nextSteps : [];
  return (
    <li class={`action action-${outcome.state}`} id={`action-${a.id}`} data-action-id={a.id}>
      <p
        class="action-outcome"
        role={outcome.state === 'refused' || outcome.state === 'failed' ? 'alert' : undefined}
      >
        <strong safe>{outcome.headline}</strong>
      </p>
      {outcome.detail ? (
        <p class="action-detail">
          <PublicText text={outcome.detail} />
        </p>
      ) : (
        ''
      )}
      {outcome.platformSaid ? (
        <p class="platform-said">
          <span safe>{`${outcome.platformSaid.platform} said: `}</span>
          <q>
            <PublicText text={outcome.platformSaid.reason} />
          </q>
        </p>
      ) : (
        ''
      )}
      <p class="muted">
        <span safe>{`Proposed by ${a.proposedBy?.name ?? 'the system'}`}</span>
        {a.confirmedBy && a.confirmedBy.id !== a.proposedBy?.id ? (
          <span safe>{`, confirmed by ${a.confirmedBy.name}`}</span>
        ) : (
          ''
        )}
      </p>
      {steps.length ? (
        <div class="next-steps">
          <p>What you can do now:</p>
          {steps.map((s) => (
            <Step step={s} commentId={commentId} csrfToken={csrfToken} />
          ))}
        </div>
      ) : (
        ''
      )}
    </li>
  );
}
