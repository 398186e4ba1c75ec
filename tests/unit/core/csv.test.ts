import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, parseCsvRecord } from '../../../services/core/csv.js';
import { deadlineReportCsv } from '../../../services/deadlines/deadline-report-csv.js';

const HYPERLINK = '=HYPERLINK("http://x","y")';

describe('the shared CSV writer', () => {
  it('writes text a spreadsheet would run as a formula as inert text, quoted', () => {
    expect(csvCell(HYPERLINK)).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+44 7700 900123')).toBe(`"'+44 7700 900123"`);
    expect(csvCell('-1+1')).toBe(`"'-1+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Ordinary text, numbers (a negative number is a number) and empty cells are left alone.
    expect(csvCell('Ms Okafor, comms')).toBe('"Ms Okafor, comms"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });

  it('reads back exactly what it was given, whatever the text (apostrophes included)', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', '\n', '"', ',', 'a') }),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (values) => {
        expect(parseCsvRecord(csvRow(values))).toEqual(values);
      }),
      { numRuns: 2_000 },
    );
    expect(parseCsvRecord(csvRow(["'=already quoted", "'plain", "''+x"]))).toEqual([
      "'=already quoted",
      "'plain",
      "''+x",
    ]);
  });

  it('is the deadline report CSV writer: a responder named like a formula comes out inert', () => {
    const figures = {
      comments: 1,
      responded: 1,
      respondedInTime: 1,
      shareInTime: 1,
      medianSecondsToFirstResponse: 60,
      p90SecondsToFirstResponse: 60,
    };
    const csv = deadlineReportCsv({
      schoolId: 's1',
      schoolName: 'Oakfield Primary',
      from: '2026-03-02',
      to: '2026-03-06',
      generatedAt: '2026-03-07T00:00:00.000Z',
      school: {
        ...figures,
        due: 1,
        breaches: 0,
        answered: 1,
        awaitingFullAnswer: 0,
        followUpOverdue: 0,
        open: { breached: 0, under_25pct: 0, under_50pct: 0, ok: 0 },
      },
      accounts: [],
      responders: [{ ...figures, userId: 'u1', name: HYPERLINK }],
      coverageGaps: [],
      workingDays: 5,
      closuresWithoutMonitor: [],
      escalations: [],
      offensiveFlags: {
        targetMinutes: 60,
        flagged: 0,
        handled: 0,
        handledInTime: 0,
        shareInTime: null,
        openOverdue: 0,
      },
    });
    const line = csv.split('\r\n').find((l) => l.startsWith('responder,'));
    expect(line).toBe(`responder,u1,"'=HYPERLINK(""http://x"",""y"")",,1,,1,1,1.0000,60,60,,,,,,,,,,,,,`);
  });
});
