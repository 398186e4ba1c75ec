import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type JobDefinition, JobRegistryError, resolveHandlers } from '../../workers/job-registry.js';

const jobs: Record<string, JobDefinition> = {
  'poll-account': { queue: 'poll', data: z.object({}), jobId: () => 'poll-x' },
  'process-comment': { queue: 'process', data: z.object({}), jobId: () => 'process-x' },
};
const noop = async () => undefined;

describe('job registry', () => {
  it('accepts exactly one handler per job', () => {
    const handlers = resolveHandlers(
      [
        { name: 'poll-account', handler: noop },
        { name: 'process-comment', handler: noop },
      ],
      jobs,
    );
    expect([...handlers.keys()].sort()).toEqual(['poll-account', 'process-comment']);
  });

  it('refuses to start when a job has no handler', () => {
    expect(() => resolveHandlers([{ name: 'poll-account', handler: noop }], jobs)).toThrow(
      new JobRegistryError('Job registry: job "process-comment" has no handler'),
    );
  });

  it('refuses to start when a job has two handlers', () => {
    expect(() =>
      resolveHandlers(
        [
          { name: 'poll-account', handler: noop },
          { name: 'poll-account', handler: noop },
          { name: 'process-comment', handler: noop },
        ],
        jobs,
      ),
    ).toThrow(/job "poll-account" has two handlers/);
  });

  it('refuses a handler for a job that does not exist', () => {
    expect(() =>
      resolveHandlers(
        [
          { name: 'poll-account', handler: noop },
          { name: 'process-comment', handler: noop },
          { name: 'poll-acount', handler: noop },
        ],
        jobs,
      ),
    ).toThrow(/handler for unknown job "poll-acount"/);
  });
});
