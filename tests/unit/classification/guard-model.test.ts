import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import {
  classifyWithTiers,
  createExternalModeration,
} from '../../../services/classification/external-moderation.js';
import { createGuardModel } from '../../../services/classification/guard-model.js';
import { metricsRegistry } from '../../../services/core/metrics.js';
import { type GuardModelServer, startGuardModelServer } from '../../helpers/guard-model-server.js';

let server: GuardModelServer;
beforeAll(async () => {
  server = await startGuardModelServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.behave({ kind: 'answer', content: 'safe' });
});

const classifier = createClassifier();
const guard = (over: Partial<Parameters<typeof createGuardModel>[0]> = {}) =>
  createGuardModel({ url: server.url, model: 'llama-guard3', timeoutMs: 1_000, ...over });

async function counted(outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('hallmonitor_external_classification_total')?.get();
  return metric?.values.find((v) => v.labels.tier === 'guard' && v.labels.outcome === outcome)?.value ?? 0;
}

describe('self-hosted guard model (Llama Guard over chat completions)', () => {
  it('sends the comment as the user turn to the configured model, with the key when there is one', async () => {
    const text = 'What time is sports day?';
    const result = await classifyWithTiers(classifier, [guard({ apiKey: 'k-1' })], text);
    expect(result.classifiedLocally).toBe(false);
    expect(result.tiers).toEqual([{ tier: 'guard', model: 'llama-guard3', outcome: 'answered' }]);
    expect(result.labels).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(server.requests[0]!.auth).toBe('Bearer k-1');
    expect(server.requests[0]!.body.model).toBe('llama-guard3');
    expect(server.requests[0]!.body.messages).toEqual([{ role: 'user', content: text }]);
  });

  it('sends no key to a model that needs none (Ollama)', async () => {
    await classifyWithTiers(classifier, [guard()], 'hello');
    expect(server.requests[0]!.auth).toBeUndefined();
  });

  it('maps "unsafe" hazard codes to our categories, each label saying the guard model said it', async () => {
    server.behave({ kind: 'answer', content: 'unsafe\nS1,S10' });
    const text = 'people like them should not be allowed near our school, we will sort them out';
    const result = await classifyWithTiers(classifier, [guard()], text);
    const fromGuard = result.labels.filter((l) => l.source === 'guard:llama-guard3');
    expect(fromGuard.map((l) => [l.category, l.subcategory, l.severity]).sort()).toEqual([
      ['offensive', 'hate', 'high'],
      ['offensive', 'threat', 'high'],
    ]);
    expect(fromGuard[0]!.spans).toEqual([[0, text.length]]);
  });

  it('flags S11 (suicide and self-harm) as safeguarding', async () => {
    server.behave({ kind: 'answer', content: '  unsafe\nS11 \n' });
    const text = 'honestly everyone would be better off without me around';
    const result = await classifyWithTiers(classifier, [guard()], text);
    expect(result.labels).toContainEqual(
      expect.objectContaining({
        category: 'safeguarding',
        subcategory: 'self_harm',
        source: 'guard:llama-guard3',
      }),
    );
  });

  it('reads hazard codes with no place in the policy (S8 intellectual property) as flagging nothing', async () => {
    server.behave({ kind: 'answer', content: 'unsafe\nS8' });
    const result = await classifyWithTiers(classifier, [guard()], 'the logo on your site is copied');
    expect(result.classifiedLocally).toBe(false);
    expect(result.labels.filter((l) => l.source.startsWith('guard:'))).toEqual([]);
  });

  it.each([
    ['a verdict outside the grammar', { kind: 'answer', content: 'This comment seems fine to me.' }],
    ['an unknown hazard code', { kind: 'answer', content: 'unsafe\nS99' }],
    ['"unsafe" with no codes', { kind: 'answer', content: 'unsafe' }],
    ['no choices', { kind: 'raw', body: '{"choices":[]}' }],
    [
      'content that is not text',
      { kind: 'raw', body: '{"choices":[{"message":{"content":{"verdict":"unsafe"}}}]}' },
    ],
    ['a body that is not JSON', { kind: 'raw', body: 'unsafe\nS1' }],
  ] as const)('treats %s as no answer, counted, and the local result stands', async (_what, behaviour) => {
    server.behave(behaviour);
    const before = await counted('invalid_response');
    const text = 'You are a useless idiot';
    const result = await classifyWithTiers(classifier, [guard()], text);
    expect(result.classifiedLocally).toBe(true);
    expect(result.tiers[0]!.outcome).toBe('invalid_response');
    expect(result.labels).toEqual(classifier.classify(text).labels);
    expect(await counted('invalid_response')).toBe(before + 1);
  });

  it('gives up on a slow answer at the timeout and keeps the local result', async () => {
    server.behave({ kind: 'answer', content: 'unsafe\nS1', delayMs: 600 });
    const result = await classifyWithTiers(classifier, [guard({ timeoutMs: 150 })], 'see you at the gate');
    expect(result.classifiedLocally).toBe(true);
    expect(result.tiers[0]!.outcome).toBe('timeout');
    expect(result.labels.some((l) => l.source.startsWith('guard:'))).toBe(false);
  });

  it('treats a 5xx as the model being down', async () => {
    server.behave({ kind: 'status', status: 503 });
    const result = await classifyWithTiers(classifier, [guard()], 'hello');
    expect(result.classifiedLocally).toBe(true);
    expect(result.tiers[0]!.outcome).toBe('external_down');
  });

  it('stops asking once the breaker opens, and asks again after the cool-down', async () => {
    server.behave({ kind: 'status', status: 500 });
    const tier = guard({ failureThreshold: 2, coolDownMs: 200 });
    await classifyWithTiers(classifier, [tier], 'one');
    await classifyWithTiers(classifier, [tier], 'two');
    expect(server.requests).toHaveLength(2);
    expect(tier.breakerState).toBe('open');
    const skipped = await classifyWithTiers(classifier, [tier], 'three');
    expect(skipped.tiers[0]!.outcome).toBe('breaker_open');
    expect(server.requests).toHaveLength(2);

    server.behave({ kind: 'answer', content: 'unsafe\nS12' });
    await new Promise((r) => setTimeout(r, 250));
    const trial = await classifyWithTiers(classifier, [tier], 'four');
    expect(trial.tiers[0]!.outcome).toBe('answered');
    expect(tier.breakerState).toBe('closed');
    expect(server.requests).toHaveLength(3);
  });

  it('flags what either tier flags, each label naming its tier', async () => {
    server.behave({ kind: 'answer', content: 'unsafe\nS11' });
    // The moderation endpoint, a second real server speaking its protocol.
    const moderation = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ results: [{ flagged: true, categories: { harassment: true } }] })),
      );
    });
    moderation.listen(0, '127.0.0.1');
    await once(moderation, 'listening');
    try {
      const port = (moderation.address() as { port: number }).port;
      const external = createExternalModeration({
        url: `http://127.0.0.1:${port}/v1/moderations`,
        apiKey: 'sk',
        timeoutMs: 1_000,
      });
      const result = await classifyWithTiers(classifier, [external, guard()], 'nobody would miss you');
      expect(result.tiers.map((t) => [t.tier, t.outcome])).toEqual([
        ['moderation', 'answered'],
        ['guard', 'answered'],
      ]);
      expect(result.labels.map((l) => [l.source, l.category, l.subcategory])).toEqual(
        expect.arrayContaining([
          ['external:omni-moderation-latest', 'offensive', 'insult'],
          ['guard:llama-guard3', 'safeguarding', 'self_harm'],
        ]),
      );
    } finally {
      moderation.closeAllConnections();
      moderation.close();
    }
  });
});
