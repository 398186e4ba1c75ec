import { loadConductSettings } from '../accounts/conduct-settings.js';
import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { findDefamation } from './defamation-rule.js';
import { findHarassment } from './harassment-rule.js';
import type { Label } from './types.js';

/**
 * P7 detection after the classifier: defamation (a text rule) and harassment (a rule over the
 * school's recent offensive comments) add their labels to the comment's, so the routing step
 * escalates them with the rest. Personal-data findings come from the classifier itself.
 */
export function conductStep(): ProcessingStep {
  return {
    name: 'conduct',
    async run(tx, _ctx, state) {
      const comment = state.comment;
      const labels = [...((state.updates.labels ?? comment.labels) as Label[])];
      const defamation = labels.some((l) => l.subcategory === 'defamation')
        ? null
        : findDefamation(comment.text);
      if (defamation) labels.push(defamation);
      if (!labels.some((l) => l.subcategory === 'harassment')) {
        const settings = await state.batch.memo(`conduct:settings:${comment.schoolId}`, () =>
          loadConductSettings(tx, comment.schoolId),
        );
        const harassment = await findHarassment(tx, comment, labels, {
          count: settings.harassmentCount,
          windowDays: settings.harassmentWindowDays,
        });
        if (harassment) labels.push(harassment);
      }
      if (labels.length === ((state.updates.labels ?? comment.labels) as Label[]).length) return;
      state.updates.labels = labels;
      state.updates.categories = [...new Set(labels.map((l) => l.category))];
    },
  };
}
