import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { classifyWithTiers } from './external-moderation.js';
import { type ExternalTiers, tiersOnForSchool } from './external-tiers.js';
import type { SchoolClassifierCache } from './school-classifier-cache.js';

/**
 * Labels the comment. The local classifier always runs; the outside tiers the school's trust has
 * turned on (a moderation endpoint, a self-hosted guard model) add labels, and when they are down
 * the local result stands ("classified locally").
 */
export function classificationStep(
  cache: SchoolClassifierCache,
  external: ExternalTiers = {},
): ProcessingStep {
  return {
    name: 'classify',
    async run(tx, _ctx, state) {
      // The school's lexicon version is read once per batch: a poll page's comments share a school.
      const schoolId = state.comment.schoolId;
      const classifier = await state.batch.memo(`classify:school:${schoolId}`, () =>
        cache.forSchool(tx, schoolId),
      );
      const tiers = await state.batch.memo(`classify:tiers:${schoolId}`, () =>
        tiersOnForSchool(tx, schoolId, external),
      );
      const result = await classifyWithTiers(classifier, tiers, state.comment.text);
      state.updates.labels = result.labels.map((l) => ({
        category: l.category,
        subcategory: l.subcategory,
        severity: l.severity,
        spans: l.spans,
        source: l.source,
      }));
      state.updates.categories = [...new Set(result.labels.map((l) => l.category))];
      state.updates.classifierVersion = result.classifierVersion;
      state.updates.classifiedLocally = result.classifiedLocally;
      state.updates.externalTiers = result.tiers;
    },
  };
}
