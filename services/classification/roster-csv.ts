import type { RosterEntry } from './types.js';

export const MAX_ROSTER_ROWS = 5_000;
export const MAX_ROSTER_CSV_CHARS = 500_000;
const MAX_FIELD = 60;

export interface RosterParse {
  entries: RosterEntry[];
  /** Row numbers (1-based, as a spreadsheet shows them) and what was wrong; never the names. */
  problems: { row: number; reason: string }[];
}

/** One CSV record per line, RFC 4180 quoting; fields trimmed. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',' || c === ';' || c === '\t') {
      row.push(field.trim());
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field.trim());
    rows.push(row);
  }
  return rows;
}

const YEAR_GROUP = /^(?:(?:year|yr|y)\s*-?\s*)?(?:1[0-3]|[1-9]|r|reception|nursery)$/i;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}'’. -]*$/u;

/**
 * Reads a roster export: first name, last name, then a year group or class ("Year 4", "4", "R",
 * "4B", "Oak"), and optionally a fourth column (class, when the third was the year group). A header
 * row is recognised and skipped. Names are checked for shape only and never echoed in problems.
 */
export function parseRosterCsv(text: string): RosterParse {
  const entries: RosterEntry[] = [];
  const problems: { row: number; reason: string }[] = [];
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  rows.forEach((cells, index) => {
    const rowNumber = index + 1;
    if (cells.every((c) => c === '')) return;
    if (index === 0 && /first|forename|given/i.test(cells[0] ?? '')) return;
    const [first = '', last = '', third = '', fourth = ''] = cells;
    if (!first || !last) {
      problems.push({ row: rowNumber, reason: 'needs a first name and a last name' });
      return;
    }
    if (
      first.length > MAX_FIELD ||
      last.length > MAX_FIELD ||
      third.length > MAX_FIELD ||
      fourth.length > MAX_FIELD
    ) {
      problems.push({ row: rowNumber, reason: `a field is longer than ${MAX_FIELD} characters` });
      return;
    }
    if (!NAME.test(first) || !NAME.test(last)) {
      problems.push({
        row: rowNumber,
        reason: 'a name contains characters other than letters, spaces, hyphens or apostrophes',
      });
      return;
    }
    const entry: RosterEntry = { firstName: first, lastName: last };
    if (third) {
      if (YEAR_GROUP.test(third)) entry.yearGroup = third;
      else entry.className = third;
    }
    if (fourth && !entry.className) entry.className = fourth;
    entries.push(entry);
  });
  return { entries, problems };
}

/** Two entries for the same pupil: same names and year/class, ignoring case and spacing. */
export function rosterKey(entry: RosterEntry): string {
  const norm = (s: string | undefined) =>
    (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return [norm(entry.firstName), norm(entry.lastName), norm(entry.yearGroup), norm(entry.className)].join(
    '|',
  );
}
