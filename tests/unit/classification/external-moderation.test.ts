import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import {
  classifyWithExternal,
  createExternalModeration,
} from '../../../services/classification/external-moderation.js';

type Behaviour = 'good' | 'slow' | 'error' | 'garbage';

let behaviour: Behaviour = 'good';
let requests: { auth: string | undefined; body: { model?: string; input?: string } }[] = [];
let server: Server;
let url: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
  });
  req.on('end', () => {
    requests.push({
      auth: req.headers.authorization,
      body: JSON.parse(raw) as { model?: string; input?: string },
    });
    if (behaviour === 'error') {
      res.writeHead(500).end('{"error":"boom"}');
      return;
    }
    if (behaviour === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":"nope"}');
      return;
    }
    const body = JSON.stringify({
      id: 'modr-1',
      model: 'omni-moderation-latest',
      results: [
        {
          flagged: true,
          categories: { harassment: true, 'harassment/threatening': true, 'self-harm': false, sexual: false },
          category_scores: {
            harassment: 0.91,
            'harassment/threatening': 0.8,
            'self-harm': 0.01,
            sexual: 0.0,
          },
        },
      ],
    });
    const delay = behaviour === 'slow' ? 500 : 0;
    setTimeout(() => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }, delay);
  });
}

beforeAll(async () => {
  server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/moderations`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  behaviour = 'good';
  requests = [];
});

const classifier = createClassifier();

describe('external moderation', () => {
  it('merges the external labels with the local ones', async () => {
    const external = createExternalModeration({ url, apiKey: 'sk-test', timeoutMs: 1_000 });
    const text = 'you stupid idiot, watch your back';
    const result = await classifyWithExternal(classifier, external, text);
    expect(result.classifiedLocally).toBe(false);
    expect(requests).toEqual([
      { auth: 'Bearer sk-test', body: { model: 'omni-moderation-latest', input: text } },
    ]);
    const externalLabels = result.labels.filter((l) => l.source === 'external:omni-moderation-latest');
    expect(externalLabels.map((l) => `${l.category}/${l.subcategory}/${l.severity}`).sort()).toEqual([
      'offensive/insult/medium',
      'offensive/threat/high',
    ]);
    expect(externalLabels[0]?.spans).toEqual([[0, text.length]]);
    expect(result.labels.some((l) => l.source.startsWith('lexicon:'))).toBe(true);
  });

  it('falls back to local classification when the endpoint is off', async () => {
    const result = await classifyWithExternal(classifier, undefined, 'you idiot');
    expect(result).toMatchObject({ classifiedLocally: true, reason: 'external_off' });
    expect(result.labels.length).toBeGreaterThan(0);
  });

  it('times out a slow endpoint and keeps the local result', async () => {
    behaviour = 'slow';
    const external = createExternalModeration({ url, apiKey: 'k', timeoutMs: 100 });
    const started = Date.now();
    const result = await classifyWithExternal(classifier, external, 'you idiot');
    expect(result).toMatchObject({ classifiedLocally: true, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(450);
    expect(result.labels.every((l) => !l.source.startsWith('external:'))).toBe(true);
  });

  it('opens the breaker after consecutive failures, then half-opens after the cool-down', async () => {
    behaviour = 'error';
    const external = createExternalModeration({
      url,
      apiKey: 'k',
      timeoutMs: 1_000,
      failureThreshold: 3,
      coolDownMs: 150,
    });
    for (let i = 0; i < 3; i++) {
      expect(await classifyWithExternal(classifier, external, 'hello')).toMatchObject({
        reason: 'external_down',
      });
    }
    expect(external.breakerState).toBe('open');
    expect(await classifyWithExternal(classifier, external, 'hello')).toMatchObject({
      reason: 'breaker_open',
    });
    expect(requests).toHaveLength(3);

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(external.breakerState).toBe('half_open');
    behaviour = 'good';
    expect(await classifyWithExternal(classifier, external, 'hello')).toMatchObject({
      classifiedLocally: false,
    });
    expect(external.breakerState).toBe('closed');
  });

  it('re-opens at once if the half-open trial fails', async () => {
    behaviour = 'error';
    const external = createExternalModeration({
      url,
      apiKey: 'k',
      timeoutMs: 1_000,
      failureThreshold: 1,
      coolDownMs: 50,
    });
    await classifyWithExternal(classifier, external, 'hello');
    expect(external.breakerState).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await classifyWithExternal(classifier, external, 'hello');
    expect(external.breakerState).toBe('open');
  });

  it('rejects a response of the wrong shape', async () => {
    behaviour = 'garbage';
    const external = createExternalModeration({ url, apiKey: 'k', timeoutMs: 1_000 });
    expect(await classifyWithExternal(classifier, external, 'hello')).toMatchObject({
      classifiedLocally: true,
      reason: 'invalid_response',
    });
  });

  it('reports an unreachable endpoint as down', async () => {
    const external = createExternalModeration({
      url: 'http://127.0.0.1:1/v1/moderations',
      apiKey: 'k',
      timeoutMs: 1_000,
    });
    expect(await classifyWithExternal(classifier, external, 'hello')).toMatchObject({
      reason: 'external_down',
    });
  });
});
