import { describe, expect, it } from 'vitest';
import {
  nextPacificMidnight,
  pacificDay,
  planQuota,
} from '../../../services/platforms/youtube/youtube-quota.js';

describe('YouTube quota day', () => {
  it('resets at midnight Pacific: 08:00 UTC in winter, 07:00 UTC in summer', () => {
    expect(nextPacificMidnight(Date.parse('2026-12-04T20:35:00Z')).toISOString()).toBe(
      '2026-12-05T08:00:00.000Z',
    );
    expect(nextPacificMidnight(Date.parse('2026-07-01T06:59:00Z')).toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(nextPacificMidnight(Date.parse('2026-07-01T07:00:00Z')).toISOString()).toBe(
      '2026-07-02T07:00:00.000Z',
    );
    // The night the clocks go back (1 November 2026): still the next local midnight.
    expect(nextPacificMidnight(Date.parse('2026-11-01T12:00:00Z')).toISOString()).toBe(
      '2026-11-02T08:00:00.000Z',
    );
    expect(pacificDay(Date.parse('2026-12-05T07:59:59Z'))).toBe('2026-12-04');
    expect(pacificDay(Date.parse('2026-12-05T08:00:00Z'))).toBe('2026-12-05');
  });
});

describe('planning polls within the quota', () => {
  const base = {
    dailyQuota: 10_000,
    accounts: 1,
    reservePercent: 30,
    usedToday: 0,
    unitsPerPoll: 2,
    minIntervalSeconds: 60,
    now: Date.parse('2026-12-04T08:00:00Z'),
  };

  it('polls as often as configured when the share allows it', () => {
    const plan = planQuota(base);
    // 7,000 units for polling over 24 hours at 2 a poll: every 25 s, so the 60 s floor holds.
    expect(plan).toMatchObject({ budget: 10_000, reserve: 3_000, intervalSeconds: 60, pollingPaused: false });
  });

  it('spaces polls out when many accounts share the project', () => {
    const plan = planQuota({ ...base, accounts: 40 });
    // 250 units each, 175 for polling: 87 polls over 24 hours, one every ~17 minutes.
    expect(plan.budget).toBe(250);
    expect(plan.intervalSeconds).toBe(Math.ceil(86_400 / 87));
  });

  it('stops polling at the reserve, whatever has been spent on moderation', () => {
    const plan = planQuota({ ...base, usedToday: 7_000 });
    expect(plan.pollingPaused).toBe(true);
    expect(plan.resetsAt.toISOString()).toBe('2026-12-05T08:00:00.000Z');
    expect(plan.intervalSeconds).toBe(86_400);
  });
});
