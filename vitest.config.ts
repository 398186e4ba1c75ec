import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Four suites, one command. Integration, fault and browser suites share a global setup that
// migrates a template database once; each test file then clones its own database from it.
//
// Vitest's default (one worker fewer than the cores) is one worker on a 2-core machine, and the
// suite then ran one file at a time: 489 s of a 1,427 s run had no test running at all, only
// files being loaded. Unit and integration files (each on its own cloned database) run two at a
// time at least: those two suites took 368 s instead of 590 s. The browser and fault suites
// still run one file at a time, each suite after the other (groupOrder), as before. Set once at
// the top, so `vitest run --maxWorkers=1` still slows a run down on a loaded machine.
const workers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    maxWorkers: workers,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
          // The property tests run thousands of cases; on a loaded 2-core machine even a small
          // test waited 6 s for the CPU. A timeout is a hang detector here, not a speed check.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/integration/**/*.test.tsx'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-setup.ts', 'tests/helpers/e2e-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
