import { stringify } from 'csv-stringify/sync';

/** The report's columns, in order. */
export const escalationColumns = [
  'episodeId',
  'patientIdentifier',
  'kind',
  'seq',
  'decision',
  'drug',
  'requestId',
  'requestedBy',
  'decidedBy',
  'role',
  'at',
  'rationale',
  'evidence',
  'warrantedSince',
  'hoursFromWarrantedToDecision',
] as const;

type Cell = string | number | readonly string[] | null | undefined;
export type EscalationRow = {
  readonly [K in (typeof escalationColumns)[number]]?: Cell;
};

/**
 * The escalation report as CSV, safe to open in a spreadsheet (csv-stringify):
 * a cell a spreadsheet would run as a formula (= + - @, a tab or a return
 * first, and their full-width forms) starts with a quote; a cell with a
 * quote, a comma, a line feed or a bare return is quoted; a list is joined
 * by spaces.
 */
export function escalationsCsv(rows: readonly EscalationRow[]): string {
  return stringify(
    rows.map((row) =>
      escalationColumns.map((column) => {
        const value = row[column];
        return Array.isArray(value) ? value.join(' ') : (value ?? null);
      }),
    ),
    {
      header: true,
      columns: [...escalationColumns],
      escape_formulas: true,
      quoted_match: /\r/,
      record_delimiter: 'unix',
    },
  );
}
