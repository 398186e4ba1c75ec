import { z } from 'zod';

const severity = z.enum(['low', 'medium', 'high']);
const category = z.enum(['offensive', 'safeguarding', 'personal_data', 'media_enquiry', 'complaint', 'spam']);
const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/);

const termGroup = z.object({
  id,
  subcategory: z.string().min(1),
  severity,
  terms: z.array(z.string().min(1)).min(1),
  /**
   * A slogan or endorsement that means what it says in any context ("sieg heil", "hitler was
   * right"): the learned model never overrules a term of this group, not even in a history lesson.
   */
  standsAlone: z.boolean().optional(),
  /** The group fires only if one of these also appears somewhere in the text. */
  requires: z.array(z.string().min(1)).optional(),
});

const patternRule = z.object({
  id,
  subcategory: z.string().min(1),
  severity,
  /** Run on the folded text (lower case, digits and punctuation kept). */
  regex: z.string().min(1),
  /** Cheap gate: the regex runs only if the folded text contains one of these. */
  triggers: z.array(z.string().min(1)).min(1).optional(),
});

const obscenityMapping = z.object({
  default: z.object({ subcategory: z.string(), severity }),
  words: z.record(z.string(), z.object({ subcategory: z.string(), severity })),
});

export const lexiconSchema = z.object({
  version: z.string().min(1),
  category,
  groups: z.array(termGroup),
  patterns: z.array(patternRule).optional(),
  obscenity: obscenityMapping.optional(),
});

export const allowListSchema = z.object({
  version: z.string().min(1),
  /** Innocent phrases the learned model has seen in context and reads ("killed it", "assess"). */
  terms: z.array(z.string().min(1)),
  /**
   * Places, names, plants and dishes spelled like a rude word ("Fagin", "Upper Dicker", "oilseed
   * rape"): allowed, and hidden from the learned model too, which never met them in context and
   * would read only the word inside them.
   */
  names: z.array(z.string().min(1)).default([]),
});

export type Lexicon = z.infer<typeof lexiconSchema>;
export type AllowList = z.infer<typeof allowListSchema>;
export type ObscenityMapping = z.infer<typeof obscenityMapping>;
