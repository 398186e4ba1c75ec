import { readFileSync } from 'node:fs';
import { type AllowList, allowListSchema, type Lexicon, lexiconSchema } from './lexicon-schema.js';

export interface ShippedLexicons {
  lexicons: Lexicon[];
  allow: AllowList;
}

const LEXICON_FILES = ['offensive', 'safeguarding', 'media', 'complaint', 'spam'] as const;

function readJson(name: string): unknown {
  const url = new URL(`../../config/lexicons/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'));
}

let cached: ShippedLexicons | undefined;

/** The lexicons under config/lexicons, read and validated once per process. */
export function shippedLexicons(): ShippedLexicons {
  if (cached !== undefined) return cached;
  const lexicons = LEXICON_FILES.map((name) => {
    const parsed = lexiconSchema.safeParse(readJson(name));
    if (!parsed.success) throw new Error(`config/lexicons/${name}.json: ${parsed.error.message}`);
    return parsed.data;
  });
  const allow = allowListSchema.safeParse(readJson('allow'));
  if (!allow.success) throw new Error(`config/lexicons/allow.json: ${allow.error.message}`);
  cached = { lexicons, allow: allow.data };
  return cached;
}
