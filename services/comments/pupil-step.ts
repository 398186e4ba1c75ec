import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { batchAccount } from '../ingestion/processing-pipeline.js';
import { pupilAuthorOf, routePupilComment } from './pupil-author.js';

/**
 * 002 §5 Pupils: a comment that reads as a pupil's, or whose author staff marked as a pupil, goes
 * to the behaviour lead (the senior leaders when none is named) as it arrives.
 */
export function pupilStep(): ProcessingStep {
  return {
    name: 'pupil',
    async run(tx, ctx, state) {
      const why = await pupilAuthorOf(tx, state.comment);
      if (!why) return;
      const account = await batchAccount(tx, state);
      if (!account) return;
      await routePupilComment(tx, ctx, state.comment, account, why);
    },
  };
}
