import { classificationStep } from '../services/classification/classification-step.js';
import { routingStep } from '../services/classification/routing-step.js';
import type { SchoolClassifierCache } from '../services/classification/school-classifier-cache.js';
import type { ProcessingStep } from '../services/ingestion/processing-pipeline.js';

export interface ProcessingStepDeps {
  classifiers: SchoolClassifierCache;
}

/** The `process` pipeline, in order: deadline, classification, routing. */
export function createProcessingSteps(deps: ProcessingStepDeps): ProcessingStep[] {
  return [classificationStep(deps.classifiers), routingStep()];
}
