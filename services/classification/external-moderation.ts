import { z } from 'zod';
import { metrics } from '../core/metrics.js';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.js';
import type { Category, ClassificationResult, Classifier, Label, Severity } from './types.js';

export interface ExternalModerationConfig {
  /** Full URL of an OpenAI-compatible moderation endpoint, e.g. https://api.openai.com/v1/moderations. */
  url: string;
  apiKey: string;
  timeoutMs: number;
  model?: string;
  failureThreshold?: number;
  coolDownMs?: number;
}

export type LocalOnlyReason =
  | 'external_off'
  | 'breaker_open'
  | 'timeout'
  | 'external_down'
  | 'invalid_response';

export class ExternalModerationError extends Error {
  constructor(
    readonly reason: Exclude<LocalOnlyReason, 'external_off' | 'breaker_open'>,
    message: string,
  ) {
    super(message);
    this.name = 'ExternalModerationError';
  }
}

const responseSchema = z.object({
  results: z
    .array(
      z.object({
        flagged: z.boolean(),
        categories: z.record(z.string(), z.boolean().nullable()),
        category_scores: z.record(z.string(), z.number()).optional(),
      }),
    )
    .min(1),
});

const CATEGORY_MAP: Record<string, { category: Category; subcategory: string; severity: Severity }> = {
  harassment: { category: 'offensive', subcategory: 'insult', severity: 'medium' },
  'harassment/threatening': { category: 'offensive', subcategory: 'threat', severity: 'high' },
  hate: { category: 'offensive', subcategory: 'hate', severity: 'high' },
  'hate/threatening': { category: 'offensive', subcategory: 'hate', severity: 'high' },
  'self-harm': { category: 'safeguarding', subcategory: 'self_harm', severity: 'high' },
  'self-harm/intent': { category: 'safeguarding', subcategory: 'self_harm', severity: 'high' },
  'self-harm/instructions': { category: 'safeguarding', subcategory: 'self_harm', severity: 'high' },
  sexual: { category: 'offensive', subcategory: 'sexual', severity: 'high' },
  'sexual/minors': { category: 'safeguarding', subcategory: 'abuse_disclosure', severity: 'high' },
  violence: { category: 'offensive', subcategory: 'threat', severity: 'medium' },
  'violence/graphic': { category: 'offensive', subcategory: 'threat', severity: 'medium' },
  'illicit/violent': { category: 'offensive', subcategory: 'threat', severity: 'medium' },
};

/** Where comment text may go besides the local classifier; a trust admin turns each on. */
export type ExternalTierName = 'moderation' | 'guard';

export interface ExternalTier {
  readonly tier: ExternalTierName;
  readonly model: string;
  /** The endpoint's host (and port): where the text goes, as the trust admin is shown it. */
  readonly host: string;
  readonly breakerState: BreakerState;
  /** True if a call would be attempted now. */
  tryAcquire(): boolean;
  /** Calls the endpoint; the caller must have acquired the breaker. */
  moderate(text: string): Promise<Label[]>;
}

export interface ExternalModeration extends ExternalTier {
  readonly model: string;
  readonly breakerState: BreakerState;
  /** True if a call would be attempted now. */
  tryAcquire(): boolean;
  /** Calls the endpoint; the caller must have acquired the breaker. */
  moderate(text: string): Promise<Label[]>;
}

export function createExternalModeration(config: ExternalModerationConfig): ExternalModeration {
  const model = config.model ?? 'omni-moderation-latest';
  const breaker = new CircuitBreaker({
    failureThreshold: config.failureThreshold ?? 5,
    coolDownMs: config.coolDownMs ?? 30_000,
  });

  async function call(text: string): Promise<Label[]> {
    let response: Response;
    try {
      response = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${config.apiKey}` },
        body: JSON.stringify({ model, input: text }),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ExternalModerationError(
          'timeout',
          `moderation endpoint did not answer in ${config.timeoutMs} ms`,
        );
      }
      throw new ExternalModerationError('external_down', 'moderation endpoint unreachable');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ExternalModerationError('external_down', `moderation endpoint answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ExternalModerationError(
          'timeout',
          `moderation endpoint did not answer in ${config.timeoutMs} ms`,
        );
      }
      throw new ExternalModerationError('invalid_response', 'moderation endpoint answered with invalid JSON');
    }
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ExternalModerationError(
        'invalid_response',
        'moderation response did not match the expected shape',
      );
    }
    const labels = new Map<string, Label>();
    for (const result of parsed.data.results) {
      for (const [name, flagged] of Object.entries(result.categories)) {
        const mapped = CATEGORY_MAP[name];
        if (flagged !== true || mapped === undefined || text.length === 0) continue;
        const key = `${mapped.category}|${mapped.subcategory}`;
        const existing = labels.get(key);
        if (existing !== undefined) {
          if (mapped.severity === 'high') existing.severity = 'high';
          continue;
        }
        labels.set(key, { ...mapped, spans: [[0, text.length]], source: `external:${model}`, confidence: 1 });
      }
    }
    return [...labels.values()];
  }

  return externalTier({ tier: 'moderation', model, url: config.url, breaker, call });
}

/**
 * An outside tier around its endpoint call: the breaker is told of each success and failure, and
 * the host the trust admin is shown is the endpoint's own.
 */
export function externalTier(parts: {
  tier: ExternalTierName;
  model: string;
  url: string;
  breaker: CircuitBreaker;
  call: (text: string) => Promise<Label[]>;
}): ExternalTier {
  const { breaker, call } = parts;
  return {
    tier: parts.tier,
    model: parts.model,
    host: new URL(parts.url).host,
    get breakerState() {
      return breaker.state;
    },
    tryAcquire: () => breaker.tryAcquire(),
    async moderate(text) {
      try {
        const labels = await call(text);
        breaker.recordSuccess();
        return labels;
      } catch (error) {
        breaker.recordFailure();
        throw error;
      }
    },
  };
}

export type ExternalClassification = ClassificationResult &
  ({ classifiedLocally: false } | { classifiedLocally: true; reason: LocalOnlyReason });

/** What one outside tier did with the comment. */
export interface TierOutcome {
  tier: ExternalTierName;
  model: string;
  outcome: 'answered' | Exclude<LocalOnlyReason, 'external_off'>;
}

export type TieredClassification = ClassificationResult & {
  /** True when no outside tier answered (none on, or every one on failed): the local result stands. */
  classifiedLocally: boolean;
  tiers: TierOutcome[];
};

async function askTier(tier: ExternalTier, text: string): Promise<{ outcome: TierOutcome; labels: Label[] }> {
  const done = (outcome: TierOutcome['outcome'], labels: Label[] = []) => {
    metrics.externalClassification.inc({ tier: tier.tier, outcome });
    return { outcome: { tier: tier.tier, model: tier.model, outcome }, labels };
  };
  if (!tier.tryAcquire()) return done('breaker_open');
  try {
    return done('answered', await tier.moderate(text));
  } catch (error) {
    return done(error instanceof ExternalModerationError ? error.reason : 'external_down');
  }
}

/**
 * The local result plus the labels of every outside tier that is on and answers, asked at once:
 * anything any of them flags is flagged, each label naming who said it (its source). The local
 * classifier always runs; an outside tier is a second opinion, never a dependency.
 */
export async function classifyWithTiers(
  classifier: Classifier,
  tiers: readonly ExternalTier[],
  text: string,
): Promise<TieredClassification> {
  const local = classifier.classify(text);
  if (tiers.length === 0) return { ...local, classifiedLocally: true, tiers: [] };
  const answers = await Promise.all(tiers.map((tier) => askTier(tier, text)));
  return {
    labels: [...local.labels, ...answers.flatMap((a) => a.labels)],
    classifierVersion: local.classifierVersion,
    classifiedLocally: answers.every((a) => a.outcome.outcome !== 'answered'),
    tiers: answers.map((a) => a.outcome),
  };
}

/**
 * The local result, plus the external endpoint's labels when it answers. The local classifier
 * always runs: the external one is a second opinion, never a dependency.
 */
export async function classifyWithExternal(
  classifier: Classifier,
  external: ExternalModeration | undefined,
  text: string,
): Promise<ExternalClassification> {
  const result = await classifyWithTiers(classifier, external ? [external] : [], text);
  const { labels, classifierVersion } = result;
  const outcome = result.tiers[0]?.outcome ?? 'external_off';
  return outcome === 'answered'
    ? { labels, classifierVersion, classifiedLocally: false }
    : { labels, classifierVersion, classifiedLocally: true, reason: outcome };
}
