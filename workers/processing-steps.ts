import type { ProcessingStep } from '../services/ingestion/processing-pipeline.js';

/** The `process` pipeline, in order. Classification, deadline and routing steps plug in here. */
export function createProcessingSteps(): ProcessingStep[] {
  return [];
}
