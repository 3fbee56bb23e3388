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
  // A decision entered in error: its status says so, and who voided it,
  // when and why (empty for a decision that stands).
  'status',
  'enteredInErrorBy',
  'enteredInErrorAt',
  'enteredInErrorRationale',
] as const;

type Cell = string | number | readonly string[] | null | undefined;
type Column = (typeof escalationColumns)[number];
type VoidColumn =
  | 'status'
  | 'enteredInErrorBy'
  | 'enteredInErrorAt'
  | 'enteredInErrorRationale';
export type EscalationRow = {
  readonly [K in Exclude<Column, VoidColumn>]?: Cell;
} & {
  /** The void that marks the decision entered in error (null: it stands). */
  readonly enteredInError?: {
    readonly actorId: string;
    readonly actorRole: string;
    readonly recordedAt: string;
    readonly rationale: string | null;
  } | null;
};

/** A row's cells by column (the void's flattened). */
function cells(row: EscalationRow): Record<Column, Cell> {
  const voided = row.enteredInError ?? null;
  return {
    ...(row as Record<Exclude<Column, VoidColumn>, Cell>),
    status: voided ? 'entered-in-error' : 'recorded',
    enteredInErrorBy: voided ? `${voided.actorId} (${voided.actorRole})` : null,
    enteredInErrorAt: voided?.recordedAt ?? null,
    enteredInErrorRationale: voided?.rationale ?? null,
  };
}

/**
 * The escalation report as CSV, safe to open in a spreadsheet (csv-stringify):
 * a cell a spreadsheet would run as a formula (= + - @, a tab or a return
 * first, and their full-width forms) starts with a quote; a cell with a
 * quote, a comma, a line feed or a bare return is quoted; a list is joined
 * by spaces.
 */
export function escalationsCsv(rows: readonly EscalationRow[]): string {
  return stringify(
    rows.map(cells).map((row) =>
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
