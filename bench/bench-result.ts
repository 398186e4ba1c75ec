/**
 * What every benchmark returns: one row of the summary table per figure it measures. `figures`
 * are printed as they are measured; `figure`, `baseline` and `target` are the table's cells.
 */
export interface BenchRow {
  name: string;
  figures: Record<string, number | string>;
  /** The headline figure for the table (default: all figures). */
  figure?: string;
  /** What it was measured against in the same run (raw inserts, the bare route…). */
  baseline?: string;
  target?: string;
  pass?: boolean;
}
