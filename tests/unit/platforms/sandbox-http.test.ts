import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';

// What the sandbox's HTTP host decides before any route does, as X answers it: unknown routes,
// bodies that are not JSON or too large, the OAuth token endpoint's form bodies, and which
// requests the log and the faults see.

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function connected() {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const school = sandbox.state.createAccount({ username: 'elm_grove' });
  return { s: sandbox, token: sandbox.state.issueToken(school.id).accessToken };
}

describe('sandbox HTTP host', () => {
  it('answers unknown routes as X does, logging only those under the API', async () => {
    const { s, token } = await connected();
    const notFound = { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] };
    const api = await fetch(`${s.url}/2/no/such/route`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual(notFound);
    const elsewhere = await fetch(`${s.url}/no-such-page`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual(notFound);
    const head = await fetch(`${s.url}/2/users/me`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(head.status).toBe(404);
    const admin = await fetch(`${s.url}/sandbox/no-such-helper`);
    expect(admin.status).toBe(404);
    expect(await admin.json()).toEqual({ error: 'no such sandbox route' });
    expect(s.state.log.map((e) => [e.method, e.path, e.endpoint, e.status])).toEqual([
      ['GET', '/2/no/such/route', null, 404],
      ['HEAD', '/2/users/me', null, 404],
    ]);
  });

  it('reads a body that is not JSON as no body, and refuses one over 1 MB with 413', async () => {
    const { s, token } = await connected();
    const post = (body: string, type = 'application/json') =>
      fetch(`${s.url}/2/tweets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body,
      });
    const broken = await post('{"text": "half');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ errors: [{ parameters: { text: [''] } }] });
    // X reads the body as JSON whatever the content type says.
    const plain = await post('{"text":"Sports day is on"}', 'text/plain');
    expect(plain.status).toBe(201);
    const huge = await post(JSON.stringify({ text: 'x'.repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ title: 'Payload Too Large', status: 413, type: 'about:blank' });
    expect(s.state.log.map((e) => e.status)).toEqual([400, 201, 413]);
  });

  it('takes form-encoded token requests, and breaks the JSON of a refusal when asked', async () => {
    const { s } = await connected();
    s.faults.set({ malformedJson: { count: 1, endpoint: 'oauth2/token' } });
    const form = (body: string) =>
      fetch(`${s.url}/2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const broken = await form('grant_type=refresh_token&refresh_token=rt_unknown&client_id=public-app');
    expect(broken.status).toBe(400);
    const text = await broken.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
    const refused = await form('grant_type=refresh_token&refresh_token=rt_unknown&client_id=public-app');
    expect(await refused.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Value passed for the token was invalid.',
    });
    expect(s.state.log.map((e) => [e.endpoint, e.status, e.fault])).toEqual([
      ['POST /2/oauth2/token', 400, 'malformedJson'],
      ['POST /2/oauth2/token', 400, null],
    ]);
  });
});
