import { describe, expect, it } from 'vitest';
import { classifyGraphError } from '../../../services/platforms/meta/meta-errors.js';
import { MetaUsage, readUsage } from '../../../services/platforms/meta/meta-usage.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');

function graphError(code: number, subcode?: number, message = 'An error') {
  return JSON.stringify({
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: 'AbCdEf123',
    },
  });
}

const classify = (
  text: string,
  status = 400,
  role: 'read' | 'action' = 'read',
  regainAt: Date | null = null,
) => classifyGraphError({ endpoint: 'GET /{post-id}/comments', role, status, text, regainAt, now: NOW });

describe('Graph error bodies map to the adapter error kinds', () => {
  it.each([
    [190, undefined, 'auth'],
    [190, 463, 'auth'],
    [190, 467, 'auth'],
    [102, undefined, 'auth'],
    [4, undefined, 'rate_limited'],
    [17, undefined, 'rate_limited'],
    [32, undefined, 'rate_limited'],
    [613, undefined, 'rate_limited'],
    [80001, undefined, 'rate_limited'],
    [80002, undefined, 'rate_limited'],
    [1, undefined, 'transient'],
    [2, undefined, 'transient'],
    [100, undefined, 'permanent'],
    [368, undefined, 'permanent'],
  ] as const)('code %s/%s → %s', (code, subcode, kind) => {
    const error = classify(graphError(code, subcode));
    expect(error.kind).toBe(kind);
    // Meta support asks for the trace id; the message carries the code and it, never a token.
    expect(error.message).toContain(`code ${code}`);
    expect(error.message).toContain('fbtrace_id AbCdEf123');
    expect(error.reason).toBe('An error');
  });

  it('an auth subcode on another code (a password change) is auth', () => {
    expect(classify(graphError(100, 460)).kind).toBe('auth');
  });

  it('a missing permission on a read needs re-connecting; on an action it is that action refused', () => {
    expect(classify(graphError(200), 403, 'read').kind).toBe('auth');
    expect(classify(graphError(10), 403, 'read').kind).toBe('auth');
    const action = classify(graphError(200, undefined, 'Permissions error'), 403, 'action');
    expect(action.kind).toBe('permanent');
    expect(action.reason).toBe('Permissions error');
  });

  it('an object that does not exist is permanent with status 404 (a retried delete finds it gone)', () => {
    const error = classify(graphError(100, 33));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(404);
  });

  it('throttling waits until the business-use-case estimate, else a fallback', () => {
    const regain = new Date(NOW + 7 * 60_000);
    expect(classify(graphError(80001), 400, 'read', regain).resetAt).toEqual(regain);
    const fallback = classify(graphError(4)).resetAt!;
    expect(fallback.getTime()).toBeGreaterThan(NOW);
  });

  it('a 5xx, with or without a Graph body, is transient', () => {
    expect(classify('<html>Bad gateway</html>', 502).kind).toBe('transient');
    expect(classify(graphError(100), 500).kind).toBe('transient');
  });

  it('a 4xx body that is not a Graph error is malformed and keeps the raw body', () => {
    const error = classify('{"oops":', 400);
    expect(error.kind).toBe('malformed');
    expect(error.rawBody).toBe('{"oops":');
  });
});

describe('usage headers', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads the highest percentage of the three headers and the regain estimate in minutes', () => {
    const reading = readUsage(
      headers({
        'x-app-usage': JSON.stringify({ call_count: 12, total_time: 5, total_cputime: 3 }),
        'x-page-usage': JSON.stringify({ call_count: 40, total_time: 2, total_cputime: 1 }),
        'x-business-use-case-usage': JSON.stringify({
          '1234': [
            {
              type: 'pages',
              call_count: 61,
              total_time: 9,
              total_cputime: 8,
              estimated_time_to_regain_access: 0,
            },
          ],
        }),
      }),
    );
    expect(reading).toEqual({ percent: 61, regainMinutes: 0 });
  });

  it('an unparseable header is ignored, not fatal', () => {
    expect(readUsage(headers({ 'x-app-usage': 'not json' }))).toBeNull();
    expect(readUsage(headers({}))).toBeNull();
  });

  it('below the slow-down mark: a budget in percent, nothing refused', () => {
    const usage = new MetaUsage(() => NOW);
    usage.record({ percent: 30, regainMinutes: 0 });
    expect(usage.shouldSlowDown()).toBe(false);
    expect(usage.state('graph')).toMatchObject({ limit: 100, remaining: 70 });
    expect(() => usage.assertAvailable('GET /me')).not.toThrow();
  });

  it('past the slow-down mark the poll stops and reports the budget exhausted until it rests', () => {
    const usage = new MetaUsage(() => NOW);
    usage.record({ percent: 85, regainMinutes: 0 });
    expect(usage.shouldSlowDown()).toBe(true);
    const state = usage.state('graph')!;
    expect(state.remaining).toBe(0);
    expect(state.resetAt.getTime()).toBeGreaterThan(NOW);
    // Still callable: an action (a hide) is worth the last few percent.
    expect(() => usage.assertAvailable('POST /{comment-id}')).not.toThrow();
  });

  it('past the refuse mark, or with a regain estimate, calls are refused locally until then', () => {
    let now = NOW;
    const usage = new MetaUsage(() => now);
    usage.record({ percent: 50, regainMinutes: 12 });
    expect(() => usage.assertAvailable('GET /me')).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
    try {
      usage.assertAvailable('GET /me');
    } catch (error) {
      expect((error as { resetAt: Date }).resetAt.getTime()).toBe(NOW + 12 * 60_000);
    }
    now = NOW + 12 * 60_000;
    expect(() => usage.assertAvailable('GET /me')).not.toThrow();

    const full = new MetaUsage(() => NOW);
    full.record({ percent: 99, regainMinutes: 0 });
    expect(() => full.assertAvailable('GET /me')).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
  });
});
