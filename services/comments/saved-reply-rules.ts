import { z } from 'zod';
import type { SchoolRole } from '../../db/schema/index.js';
import { invalidInputFrom } from '../core/service-error.js';

/** Who edits a school's saved replies: the people who write its replies and answer for them. */
export const SAVED_REPLY_EDITORS: readonly SchoolRole[] = ['comms', 'senior_leader'];

/** Most saved replies a school keeps: the composer lists them all. */
export const MAX_SAVED_REPLIES = 50;

export const savedReplyInputSchema = z.object({
  title: z.string().trim().min(1, 'give the saved reply a title').max(80, 'a title of at most 80 characters'),
  body: z.string().trim().min(1, 'write the reply').max(2_000, 'a reply of at most 2,000 characters'),
});
export type SavedReplyInput = z.input<typeof savedReplyInputSchema>;

export function parseSavedReply(raw: unknown): z.output<typeof savedReplyInputSchema> {
  const parsed = savedReplyInputSchema.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  return parsed.data;
}

export interface SavedReplyView {
  id: string;
  schoolId: string;
  title: string;
  body: string;
  updatedAt: Date;
}
