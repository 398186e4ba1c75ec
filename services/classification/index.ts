export { checkOutgoingReply, type ReplyCheck, type ReplyProblem } from './check-outgoing-reply.js';
export { classifyStream, type StreamSummary } from './classify-stream.js';
export { createClassifier } from './create-classifier.js';
export {
  classifyWithExternal,
  createExternalModeration,
  type ExternalClassification,
  type ExternalModeration,
  type ExternalModerationConfig,
  ExternalModerationError,
  type LocalOnlyReason,
} from './external-moderation.js';
export {
  type AccountRoutingSettings,
  DEFAULT_ROUTING_SETTINGS,
  type Route,
  routesFor,
} from './routes-for.js';
export type * from './types.js';
