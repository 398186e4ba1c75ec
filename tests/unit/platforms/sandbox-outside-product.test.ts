import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The sandbox platforms are test equipment: they must never ship. The production build compiles
// only what tsconfig.build.json reaches (following imports), and the Docker build context leaves
// the sandbox and the demo out.
const root = path.resolve(import.meta.dirname, '../../..');

describe('the sandbox platforms stay outside the product', () => {
  it('the production build reaches no sandbox or demo file, and still builds the services', () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const listed = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((file) => file.length > 0 && !file.includes('/node_modules/'))
      .map((file) => path.relative(root, file));
    expect(listed).toContain('services/api/server.ts');
    expect(listed).toContain('workers/main.ts');
    const shipped = listed.filter(
      (file) =>
        file.startsWith('sandbox/') || file.startsWith('services/demo/') || file.includes('/sandbox/'),
    );
    expect(shipped).toEqual([]);
  }, 120_000);

  it('the Docker build context leaves out the sandbox, the demo, tests and benchmarks', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['sandbox', 'services/demo', 'tests', 'bench']));
  });
});
