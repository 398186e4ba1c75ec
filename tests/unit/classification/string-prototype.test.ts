import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// V8's own view of String.prototype, from a child process allowed to ask it
// (--allow-natives-syntax), in a process that has loaded ioredis as every worker does.
const script = `
import 'ioredis';
import { createClassifier } from './services/classification/create-classifier.ts';
const fast = new Function('o', 'return %HasFastProperties(o)');
const before = fast(String.prototype);
createClassifier({ model: null });
const after = fast(String.prototype);
const s = 'the classifier still reads strings';
console.log(JSON.stringify({ before, after, reads: s.startsWith('the') && s.at(-1) === 's' }));
`;

describe('String.prototype in a worker that has loaded ioredis', () => {
  it('is back in fast mode once a classifier is built, so string methods are inlined again', () => {
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: root, encoding: 'utf8' },
    );
    // ioredis 6 leaves it in dictionary mode (class VerbatimString extends String): if a
    // release stops doing so, `before` turns true and this test says the fix can go.
    expect(JSON.parse(out)).toEqual({ before: false, after: true, reads: true });
  });
});
