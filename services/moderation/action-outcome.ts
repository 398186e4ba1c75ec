import type { ActionKind, ModerationAction, Platform } from '../../db/schema/index.js';
import { platformDisplayName } from '../platforms/platform-profiles.js';
import { ACTION_CAPABILITY, ACTION_TARGET, platformCapabilities } from './action-rules.js';

/** Where an action stands, in the words the page uses. */
export type OutcomeState =
  | 'awaiting_second_admin'
  | 'queued'
  | 'in_progress'
  | 'retrying'
  | 'done'
  | 'needs_recording'
  | 'refused'
  | 'failed'
  | 'rejected'
  | 'expired';

export type NextStep =
  /** Put the failed action back in the queue (the same approval stands). */
  | { step: 'retry'; actionId: string; label: string }
  /** Do it in the platform's own app, then record it here. */
  | { step: 'record_by_hand'; actionId: string; label: string }
  /** Another action this platform allows on the comment or its author. */
  | { step: 'take_action'; kind: ActionKind; mode: 'platform' | 'manual'; label: string }
  /** Sign the account in again on the account page. */
  | { step: 'reconnect'; accountId: string; label: string };

export interface ActionOutcome {
  state: OutcomeState;
  /** One sentence a person reads first: "Queued: X will hide it in a moment." */
  headline: string;
  /** Why, in plain words, when there is more to say (the platform's refusal explained). */
  detail: string | null;
  /** The platform's own words, shown apart (and isolated) from ours: it is outside text. */
  platformSaid: { platform: string; reason: string } | null;
  nextSteps: NextStep[];
}

const VERB: Record<ActionKind, string> = {
  hide: 'hide the comment',
  unhide: 'show the comment again',
  delete: 'delete the comment',
  block: 'block the author',
  unblock: 'unblock the author',
  mute: 'mute the author',
  unmute: 'unmute the author',
  report: 'report the comment',
  notice: 'post the notice',
};

const DONE: Record<ActionKind, string> = {
  hide: 'the comment is hidden',
  unhide: 'the comment is shown again',
  delete: 'the comment is deleted',
  block: 'the author is blocked',
  unblock: 'the author is unblocked',
  mute: 'the author is muted',
  unmute: 'the author is unmuted',
  report: 'the comment is reported',
  notice: 'the notice is posted',
};

/** Actions that follow a refusal: none of these undoes something. */
const ALTERNATIVES: readonly ActionKind[] = ['hide', 'mute', 'block', 'report', 'delete'];

type Failure = { kind: string; status: number | null };

/** The platform's refusal in the words a member of staff would use, and whether retrying can help. */
function explain(
  action: Pick<ModerationAction, 'kind' | 'error' | 'platformResult' | 'attempts'>,
  platform: string,
): { detail: string; retry: boolean; byHand: boolean; reconnect: boolean; quote: boolean } {
  const reason = action.error ?? '';
  const failure = (action.platformResult ?? {}) as Partial<Failure>;
  if (/own conversations|conversation you started/i.test(reason)) {
    return {
      detail: `${platform} lets an account hide only replies in conversations the account started, and this comment is not a reply to one of the school's posts. ${platform}'s own app has the same rule.`,
      retry: false,
      byHand: false,
      reconnect: false,
      quote: false,
    };
  }
  if (failure.kind === 'auth' || /re-?connect/i.test(reason)) {
    return {
      detail: `${platform} no longer accepts Hallmonitor's sign-in for this account. An account admin must reconnect it on the account page; then try again.`,
      retry: true,
      byHand: true,
      reconnect: true,
      quote: false,
    };
  }
  if (failure.status === 404 || /not found|no longer exists|does not exist/i.test(reason)) {
    return {
      detail: `The comment is no longer on ${platform}: its author may have deleted it.`,
      retry: false,
      byHand: false,
      reconnect: false,
      quote: false,
    };
  }
  if (failure.kind === 'transient' || failure.kind === 'unknown') {
    return {
      detail: `${platform} did not answer after ${action.attempts} ${action.attempts === 1 ? 'try' : 'tries'}.`,
      retry: true,
      byHand: true,
      reconnect: false,
      quote: !!reason,
    };
  }
  return {
    detail: reason ? `${platform} refused it.` : `${platform} refused it without giving a reason.`,
    retry: failure.kind !== 'permanent',
    byHand: true,
    reconnect: false,
    quote: !!reason,
  };
}

/**
 * What happened to an action and what can be done next, truthfully: an action that is queued says
 * queued, not done; a refusal says why in plain words and offers what the platform allows.
 */
export function describeOutcome(
  action: Parameters<typeof describeOutcomeWords>[0],
  account: { id: string; platform: Platform },
): ActionOutcome {
  const words = describeOutcomeWords(action, account);
  const platform = platformDisplayName(account.platform);
  const quote =
    action.error &&
    ((action.status === 'failed' && explain(action, platform).quote) ||
      (action.status === 'queued' && !/rate limited/i.test(action.error)));
  return { ...words, platformSaid: quote ? { platform, reason: action.error! } : null };
}

function describeOutcomeWords(
  action: Pick<ModerationAction, 'id' | 'kind' | 'mode' | 'status' | 'error' | 'platformResult' | 'attempts'>,
  account: { id: string; platform: Platform },
): Omit<ActionOutcome, 'platformSaid'> {
  const platform = platformDisplayName(account.platform);
  const verb = VERB[action.kind];
  const inApp = `${platform}'s own app`;
  const record = {
    step: 'record_by_hand' as const,
    actionId: action.id,
    label: 'Record what was done by hand',
  };
  switch (action.status) {
    case 'proposed':
      return {
        state: 'awaiting_second_admin',
        headline: `Waiting for a second admin to confirm: ${verb}.`,
        detail: null,
        nextSteps: [],
      };
    case 'approved':
      if (action.mode === 'manual') {
        return {
          state: 'needs_recording',
          headline: `Approved, to be done by hand: ${verb} in ${inApp}, then record it here.`,
          detail: `Hallmonitor cannot ${verb} through ${platform}'s API.`,
          nextSteps: [record],
        };
      }
      return {
        state: 'queued',
        headline: `Queued: ${platform} will ${verb} shortly.`,
        detail: null,
        nextSteps: [],
      };
    case 'queued': {
      const waiting = action.error
        ? /rate limited/i.test(action.error)
          ? `${platform} asked Hallmonitor to slow down; it will try again by itself.`
          : 'The last try did not get through; it will try again by itself.'
        : null;
      return waiting
        ? {
            state: 'retrying',
            headline: `Not done yet: ${verb} will be tried again.`,
            detail: waiting,
            nextSteps: [],
          }
        : {
            state: 'queued',
            headline: `Queued: ${platform} will ${verb} shortly.`,
            detail: null,
            nextSteps: [],
          };
    }
    case 'executing':
      return {
        state: 'in_progress',
        headline: `In progress: asking ${platform} to ${verb}.`,
        detail: null,
        nextSteps: [],
      };
    case 'succeeded': {
      const result = (action.platformResult ?? {}) as Record<string, unknown>;
      const headline =
        action.mode === 'manual'
          ? `Done by hand in ${inApp} and recorded: ${DONE[action.kind]}.`
          : result.alreadyInState
            ? `Done: ${DONE[action.kind]} (it already was on ${platform}).`
            : `Done on ${platform}: ${DONE[action.kind]}.`;
      return { state: 'done', headline, detail: null, nextSteps: [] };
    }
    case 'failed': {
      const why = explain(action, platform);
      const steps: NextStep[] = [];
      if (why.reconnect)
        steps.push({ step: 'reconnect', accountId: account.id, label: 'Reconnect the account' });
      if (why.retry) steps.push({ step: 'retry', actionId: action.id, label: 'Try again' });
      if (why.byHand) steps.push({ ...record, label: `Done it in ${inApp}? Record it` });
      const capabilities = platformCapabilities(account.platform);
      for (const kind of ALTERNATIVES) {
        if (kind === action.kind || ACTION_TARGET[kind] === undefined) continue;
        const mode = capabilities[ACTION_CAPABILITY[kind]] ? 'platform' : 'manual';
        // The same refusal would meet a hide done by hand in the app.
        if (kind === 'hide' && !why.byHand) continue;
        steps.push({
          step: 'take_action',
          kind,
          mode,
          label:
            mode === 'platform'
              ? `${capitalise(VERB[kind])} instead`
              : `${capitalise(VERB[kind])} in ${inApp} instead`,
        });
      }
      return {
        state: why.retry || why.byHand ? 'failed' : 'refused',
        headline: `Not done: ${platform} refused to ${verb}.`,
        detail: why.detail,
        nextSteps: steps,
      };
    }
    case 'rejected':
      return {
        state: 'rejected',
        headline: `Turned down: nobody will ${verb}.`,
        detail: null,
        nextSteps: [],
      };
    case 'expired':
      return {
        state: 'expired',
        headline: `Expired before a second admin confirmed it: ${verb} was not done.`,
        detail: null,
        nextSteps: [],
      };
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
