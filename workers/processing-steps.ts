import { classificationStep } from '../services/classification/classification-step.js';
import { conductStep } from '../services/classification/conduct-step.js';
import type { ExternalTiers } from '../services/classification/external-tiers.js';
import { routingStep } from '../services/classification/routing-step.js';
import type { SchoolClassifierCache } from '../services/classification/school-classifier-cache.js';
import { pupilStep } from '../services/comments/pupil-step.js';
import { createDeadlineStep } from '../services/deadlines/deadline-step.js';
import type { DeadlineTimers } from '../services/deadlines/deadline-timers.js';
import type { ProcessingStep } from '../services/ingestion/processing-pipeline.js';
import type { ActionDispatch } from '../services/moderation/action-access.js';

export interface ProcessingStepDeps {
  classifiers: SchoolClassifierCache;
  /** Outside classification tiers configured; each is used only where a trust admin turned it on. */
  externalTiers?: ExternalTiers;
  /** Where deadline timers are set; without it the sweep warns and breaches on its own. */
  deadlineTimers?: DeadlineTimers;
  /** Where an automatic hide is queued for execution; without it the action relay picks it up. */
  actionDispatch?: ActionDispatch;
}

/** The `process` pipeline, in order: deadline, classification, conduct rules (P7), routing, pupils (002 §5). */
export function createProcessingSteps(deps: ProcessingStepDeps): ProcessingStep[] {
  return [
    createDeadlineStep(deps.deadlineTimers ?? null),
    classificationStep(deps.classifiers, deps.externalTiers),
    conductStep(),
    routingStep(deps.actionDispatch ? { dispatch: deps.actionDispatch } : {}),
    pupilStep(),
  ];
}
