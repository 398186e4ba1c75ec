import { describe, expect, it } from 'vitest';
import { isConnectionLoss, retryOnConnectionLoss } from '../../../services/core/retry-on-connection-loss.js';

const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
  code: '57P01',
});

describe('retrying what lost its database connection', () => {
  it('recognises a lost connection, also wrapped, and nothing else', () => {
    expect(isConnectionLoss(terminated)).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(new Error('Failed query: commit', { cause: terminated }))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionLoss(new Error('the platform said no'))).toBe(false);
    expect(isConnectionLoss(undefined)).toBe(false);
  });

  it('runs again after a lost connection, and gives up on anything else at once', async () => {
    let calls = 0;
    const recorded = await retryOnConnectionLoss(
      async () => {
        calls += 1;
        if (calls < 3) throw terminated;
        return 'recorded';
      },
      { delayMs: 1 },
    );
    expect(recorded).toBe('recorded');
    expect(calls).toBe(3);

    let other = 0;
    await expect(
      retryOnConnectionLoss(
        async () => {
          other += 1;
          throw new Error('violates check constraint');
        },
        { delayMs: 1 },
      ),
    ).rejects.toThrow('violates check constraint');
    expect(other).toBe(1);

    let always = 0;
    await expect(
      retryOnConnectionLoss(
        async () => {
          always += 1;
          throw terminated;
        },
        { attempts: 4, delayMs: 1 },
      ),
    ).rejects.toThrow('terminating connection');
    expect(always).toBe(4);
  });
});
