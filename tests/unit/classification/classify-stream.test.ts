import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { classifyStream } from '../../../services/classification/classify-stream.js';
import { createClassifier } from '../../../services/classification/create-classifier.js';

const classifier = createClassifier();

function collect(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      // A slow consumer, so the writer has to respect backpressure.
      setImmediate(done);
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0),
  };
}

async function finish(stream: Writable): Promise<void> {
  stream.end();
  await new Promise((resolve) => stream.once('finish', resolve));
}

const TEXTS = [
  'Lovely assembly, thank you!',
  'f u c k this school',
  'Call me on 07700 900123',
  'I just want to die',
  'Would the school like to comment? I am a reporter at the Echo',
  'Really disappointed, still no reply',
];

describe('classifyStream', () => {
  it('writes one line per input with labels and default routes', async () => {
    const input = Readable.from([
      `${JSON.stringify({ id: 'a', text: 'f u c k off' })}\n`,
      `${JSON.stringify({ id: 2, text: 'thanks!' })}\n`,
    ]);
    const out = collect();
    await classifyStream(input, out.stream, classifier);
    await finish(out.stream);
    const [first, second] = out.lines().map((l) => JSON.parse(l));
    expect(first).toEqual({
      id: 'a',
      labels: [
        {
          category: 'offensive',
          subcategory: 'profanity',
          severity: 'medium',
          spans: [[0, 7]],
          source: 'obscenity:fuck',
          confidence: 0.9,
        },
      ],
      routes: ['flag_admins'],
    });
    expect(second).toEqual({ id: 2, labels: [], routes: [] });
  });

  it('answers a malformed line with an error line and carries on', async () => {
    const input = Readable.from([
      '{"id":1,"text":"ok"}\n',
      'not json\n',
      '{"id":3}\n',
      '{"id":4,"text":"idiot"}\n',
    ]);
    const out = collect();
    const summary = await classifyStream(input, out.stream, classifier);
    await finish(out.stream);
    const lines = out.lines().map((l) => JSON.parse(l));
    expect(summary).toEqual({ lines: 4, errors: 2 });
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatchObject({ line: 2, error: 'invalid JSON' });
    expect(lines[2]).toMatchObject({ id: 3, line: 3 });
    expect(lines[2].error).toBeTypeOf('string');
    expect(lines[3]).toMatchObject({ id: 4, routes: ['flag_admins'] });
  });

  it('streams 100,000 lines in order through a slow consumer', async () => {
    const total = 100_000;
    const input = new PassThrough();
    const out = collect();
    const done = classifyStream(input, out.stream, classifier);
    for (let i = 0; i < total; i++) {
      const ok = input.write(`${JSON.stringify({ id: `c${i}`, text: TEXTS[i % TEXTS.length] })}\n`);
      if (!ok) await new Promise((resolve) => input.once('drain', resolve));
    }
    input.end();
    const summary = await done;
    await finish(out.stream);
    const lines = out.lines();
    expect(summary).toEqual({ lines: total, errors: 0 });
    expect(lines).toHaveLength(total);
    for (let i = 0; i < total; i += 1) {
      const row = JSON.parse(lines[i]!) as { id: string; labels: unknown[] };
      if (row.id !== `c${i}`) expect(row.id).toBe(`c${i}`);
    }
    const flagged = JSON.parse(lines[1]!) as { routes: string[] };
    expect(flagged.routes).toEqual(['flag_admins']);
  }, 120_000);
});
