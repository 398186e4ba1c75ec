import { z } from 'zod';
import { CircuitBreaker } from './circuit-breaker.js';
import { ExternalModerationError, type ExternalTier, externalTier } from './external-moderation.js';
import type { Category, Label, Severity } from './types.js';

/**
 * A guard model the school runs itself (Llama Guard 3 or 4 served by Ollama or vLLM) behind an
 * OpenAI-compatible chat-completions endpoint. The comment is sent as the user's turn; the model's
 * chat template wraps it in the guard prompt, and the answer is "safe", or "unsafe" and a line of
 * hazard codes ("unsafe\nS1,S10").
 */
export interface GuardModelConfig {
  /** Full URL of the chat-completions endpoint, e.g. http://127.0.0.1:11434/v1/chat/completions. */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  failureThreshold?: number;
  coolDownMs?: number;
}

type Mapped = { category: Category; subcategory: string; severity: Severity };

/**
 * The MLCommons hazard taxonomy Llama Guard 3 and 4 answer in, mapped to the policy's categories.
 * Codes with no counterpart in a school's social media policy (specialised advice, intellectual
 * property, elections, code interpreter abuse) are read but flag nothing.
 */
export const LLAMA_GUARD_HAZARDS: Readonly<Record<string, { name: string; maps: Mapped | null }>> = {
  S1: { name: 'violent crimes', maps: { category: 'offensive', subcategory: 'threat', severity: 'high' } },
  S2: {
    name: 'non-violent crimes',
    maps: { category: 'offensive', subcategory: 'illegal', severity: 'medium' },
  },
  S3: {
    name: 'sex-related crimes',
    maps: { category: 'safeguarding', subcategory: 'abuse_disclosure', severity: 'high' },
  },
  S4: {
    name: 'child sexual exploitation',
    maps: { category: 'safeguarding', subcategory: 'abuse_disclosure', severity: 'high' },
  },
  S5: { name: 'defamation', maps: { category: 'offensive', subcategory: 'defamation', severity: 'medium' } },
  S6: { name: 'specialised advice', maps: null },
  S7: {
    name: 'privacy',
    maps: { category: 'personal_data', subcategory: 'private_information', severity: 'medium' },
  },
  S8: { name: 'intellectual property', maps: null },
  S9: {
    name: 'indiscriminate weapons',
    maps: { category: 'offensive', subcategory: 'threat', severity: 'high' },
  },
  S10: { name: 'hate', maps: { category: 'offensive', subcategory: 'hate', severity: 'high' } },
  S11: {
    name: 'suicide and self-harm',
    maps: { category: 'safeguarding', subcategory: 'self_harm', severity: 'high' },
  },
  S12: { name: 'sexual content', maps: { category: 'offensive', subcategory: 'sexual', severity: 'high' } },
  S13: { name: 'elections', maps: null },
  S14: { name: 'code interpreter abuse', maps: null },
};

/** The HTTP answer: one choice whose message content is text. Anything else is no answer. */
const chatCompletionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().max(2_000) }) })).min(1),
});

/** The model's verdict: exactly "safe", or "unsafe" then a line of known hazard codes. */
const HAZARD = /^S(?:[1-9]|1[0-4])$/;
export const guardVerdictSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z.union([
      z.literal('safe').transform(() => ({ safe: true as const, codes: [] as string[] })),
      z
        .string()
        .regex(/^unsafe\s*\n\s*S\d{1,2}(?:\s*,\s*S\d{1,2})*$/)
        .transform((s) => ({
          safe: false as const,
          codes: s
            .split('\n')[1]!
            .split(',')
            .map((c) => c.trim()),
        }))
        .refine((v) => v.codes.every((c) => HAZARD.test(c)), 'a hazard code from S1 to S14'),
    ]),
  );

/** Our labels for a verdict's hazard codes, one per category and subcategory. */
export function labelsForVerdict(codes: readonly string[], text: string, source: string): Label[] {
  const labels = new Map<string, Label>();
  for (const code of codes) {
    const mapped = LLAMA_GUARD_HAZARDS[code]?.maps;
    if (!mapped || text.length === 0) continue;
    const key = `${mapped.category}|${mapped.subcategory}`;
    const existing = labels.get(key);
    if (existing) {
      if (mapped.severity === 'high') existing.severity = 'high';
      continue;
    }
    // The guard model answers yes or no per hazard, with no score.
    labels.set(key, { ...mapped, spans: [[0, text.length]], source, confidence: 1 });
  }
  return [...labels.values()];
}

export function createGuardModel(config: GuardModelConfig): ExternalTier {
  const breaker = new CircuitBreaker({
    failureThreshold: config.failureThreshold ?? 5,
    coolDownMs: config.coolDownMs ?? 30_000,
  });
  const source = `guard:${config.model}`;
  const timedOut = () =>
    new ExternalModerationError('timeout', `guard model did not answer in ${config.timeoutMs} ms`);
  const isAbort = (error: unknown) =>
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

  async function call(text: string): Promise<Label[]> {
    const signal = AbortSignal.timeout(config.timeoutMs);
    let response: Response;
    try {
      response = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: config.model,
          messages: [{ role: 'user', content: text }],
          temperature: 0,
          max_tokens: 20,
          stream: false,
        }),
        redirect: 'error',
        signal,
      });
    } catch (error) {
      if (isAbort(error)) throw timedOut();
      throw new ExternalModerationError('external_down', 'guard model unreachable');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ExternalModerationError('external_down', `guard model answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (isAbort(error)) throw timedOut();
      throw invalid('guard model answered with invalid JSON');
    }
    const parsed = chatCompletionSchema.safeParse(body);
    if (!parsed.success) throw invalid('guard model answer did not match the chat-completions shape');
    const verdict = guardVerdictSchema.safeParse(parsed.data.choices[0]!.message.content);
    if (!verdict.success)
      throw invalid('guard model answer was neither "safe" nor "unsafe" with hazard codes');
    return verdict.data.safe ? [] : labelsForVerdict(verdict.data.codes, text, source);
  }

  const invalid = (message: string) => new ExternalModerationError('invalid_response', message);

  return externalTier({ tier: 'guard', model: config.model, url: config.url, breaker, call });
}
