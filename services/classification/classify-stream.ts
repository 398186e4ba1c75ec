import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { DEFAULT_ROUTING_SETTINGS, routesFor } from './routes-for.js';
import type { Classifier } from './types.js';

const inputLine = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string(),
});

export interface StreamSummary {
  lines: number;
  errors: number;
}

function outputFor(
  line: string,
  lineNumber: number,
  classifier: Classifier,
): { json: string; error: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { json: JSON.stringify({ line: lineNumber, error: 'invalid JSON' }), error: true };
  }
  const input = inputLine.safeParse(parsed);
  if (!input.success) {
    const id =
      typeof parsed === 'object' && parsed !== null && 'id' in parsed
        ? (parsed as { id: unknown }).id
        : undefined;
    return {
      json: JSON.stringify({ id, line: lineNumber, error: 'expected {"id": string|number, "text": string}' }),
      error: true,
    };
  }
  const result = classifier.classify(input.data.text);
  const routes = routesFor(result, DEFAULT_ROUTING_SETTINGS);
  return {
    json: JSON.stringify({
      id: input.data.id,
      labels: result.labels.map((l) => ({
        category: l.category,
        subcategory: l.subcategory,
        severity: l.severity,
        spans: l.spans,
        source: l.source,
        confidence: l.confidence,
      })),
      routes,
    }),
    error: false,
  };
}

/**
 * Reads JSON lines `{"id","text"}` and writes one JSON line per input, in order. A bad line
 * gets an error line rather than stopping the stream; a slow reader pauses the input.
 */
export async function classifyStream(
  input: Readable,
  output: Writable,
  classifier: Classifier,
): Promise<StreamSummary> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let count = 0;
  let errors = 0;
  for await (const line of lines) {
    if (line.trim().length === 0) continue;
    count++;
    const { json, error } = outputFor(line, count, classifier);
    if (error) errors++;
    if (!output.write(`${json}\n`)) await once(output, 'drain');
  }
  return { lines: count, errors };
}
