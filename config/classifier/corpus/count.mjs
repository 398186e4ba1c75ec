// Prints the corpus's row counts per kind, per category, and how many rows were slot-generated.
// Usage: node config/classifier/corpus/count.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const byKind = new Map();
const byCategory = new Map();
let total = 0;
let generated = 0;
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith('.jsonl'))
  .sort()) {
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line);
    total++;
    if (row.generated) generated++;
    const kind = byKind.get(row.kind) ?? { rows: 0, generated: 0 };
    kind.rows++;
    if (row.generated) kind.generated++;
    byKind.set(row.kind, kind);
    for (const category of row.expect.length > 0 ? row.expect : ['(none)']) {
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    }
  }
}
console.log('| kind | rows | of which slot-generated |');
console.log('| --- | ---: | ---: |');
for (const [kind, { rows, generated: g }] of [...byKind].sort()) console.log(`| ${kind} | ${rows} | ${g} |`);
console.log(`| **total** | **${total}** | **${generated}** (${((100 * generated) / total).toFixed(1)}%) |`);
console.log('');
console.log('| expected category | rows |');
console.log('| --- | ---: |');
for (const [category, rows] of [...byCategory].sort()) console.log(`| ${category} | ${rows} |`);
