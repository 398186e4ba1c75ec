import { readFileSync } from 'node:fs';
import type { Category, RosterEntry } from '../../../services/classification/types.js';

export interface EvalRow {
  text: string;
  expect: Category[];
  kind: string;
}

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
}

export function loadEvalSet(): EvalRow[] {
  return fixture('classification-eval.jsonl')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as EvalRow);
}

export function loadRoster(): RosterEntry[] {
  return JSON.parse(fixture('classification-roster.json')) as RosterEntry[];
}
