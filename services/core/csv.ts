/**
 * The one CSV writer (RFC 4180) for every export, and its reader. Text a spreadsheet would run as
 * a formula (beginning with =, +, -, @, a tab or a carriage return, as OWASP lists them) is written
 * with a leading apostrophe and quoted, so opening the file runs nothing: a display name of
 * `=HYPERLINK("http://x","y")` stays text. The reader undoes exactly that, so an export whose
 * cells must read back byte for byte (the audit export, whose hashes cover the original text)
 * still verifies: a value is prefixed when it is any number of apostrophes followed by a formula
 * character, and a cell loses one apostrophe when it is one or more apostrophes followed by one,
 * so every value reads back as itself.
 */

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** One cell: empty for null, quoted when needed, formula-looking text defused. Numbers are left as they are. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const raw = String(value);
  const neutralised = typeof value === 'string' && FORMULA_START.test(raw);
  const text = neutralised ? `'${raw}` : raw;
  return neutralised || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, without its line ending. */
export function csvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvCell).join(',');
}

/**
 * Splits one record (quoted fields may hold commas, quotes and newlines) into the values that
 * csvCell was given, as text: the quoting and the apostrophe of a defused formula removed.
 */
export function parseCsvRecord(record: string): string[] {
  const cells: string[] = [];
  let i = 0;
  let cell = '';
  let quoted = false;
  const push = () => {
    cells.push(NEUTRALISED.test(cell) ? cell.slice(1) : cell);
    cell = '';
  };
  while (i < record.length) {
    const ch = record[i]!;
    if (quoted) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') push();
    else cell += ch;
    i += 1;
  }
  push();
  return cells;
}
