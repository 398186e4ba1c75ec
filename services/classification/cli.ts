import { parseArgs } from 'node:util';
import { classifyStream } from './classify-stream.js';
import { createClassifier } from './create-classifier.js';
import { loadSchoolClassifier } from './load-school-classifier.js';

// npm run classify -- [--school <id>]  <comments.jsonl  >labels.jsonl
const { values } = parseArgs({ options: { school: { type: 'string' } }, strict: true });
const classifier =
  values.school === undefined ? createClassifier() : await loadSchoolClassifier(values.school);
const summary = await classifyStream(process.stdin, process.stdout, classifier);
if (summary.errors > 0) process.exitCode = 1;
