import { type JSX, useState } from 'react';

import { entryCorrectionLabels } from '@mas/protocol';

import { type ApiClient, errorWords } from '../api/client.js';
import { DRAFT_PREFIX } from '../drafts.js';

/** What was typed, kept across a reload of the page (a live change, a 409). */
function readDraft(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeDraft(key: string, rationale: string | null): void {
  try {
    if (rationale === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, rationale);
  } catch {
    // Storage full or refused: the draft lives in the page only.
  }
}

export interface EntryCorrectionProps {
  readonly api: ApiClient;
  readonly episodeId: string;
  /** The record version the page shows (the void's expected version). */
  readonly version: number;
  /** The audit entry offered for correction. */
  readonly seq: number;
  /** Who is correcting it (their draft is theirs alone). */
  readonly userId: string;
  /** The entry in words (its label). */
  readonly label: string;
  /** After the void: the page reloads the episode. */
  readonly onMarked: () => void;
}

/**
 * "Mark entered in error" on one audited event: a reason asked for, then
 * `POST /api/episodes/:id/entered-in-error` at the version the page shows.
 * A refusal is told as the service words it (a later entry resting on this
 * one, a stale page); what was typed stays, across a reload too.
 */
export function EntryCorrection({
  api,
  episodeId,
  version,
  seq,
  userId,
  label,
  onMarked,
}: EntryCorrectionProps): JSX.Element {
  const draftKey = `${DRAFT_PREFIX}entered-in-error.${userId}.${episodeId}.${String(seq)}`;
  const [rationale, setRationaleState] = useState<string | null>(() =>
    readDraft(draftKey),
  );
  const setRationale = (next: string | null) => {
    setRationaleState(next);
    writeDraft(draftKey, next);
  };
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const mark = async () => {
    if (rationale === null) return;
    setBusy(true);
    setError(null);
    try {
      await api.request('POST', `/api/episodes/${episodeId}/entered-in-error`, {
        seq,
        rationale,
        expectedVersion: version,
      });
      setRationale(null);
      onMarked();
    } catch (caught) {
      // (The reason typed stays: a stale page is reloaded, and sent again.)
      setError(errorWords(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="no-print entry-correction">
      {rationale === null ? (
        <button
          type="button"
          aria-label={`${entryCorrectionLabels.mark}: #${String(seq)} ${label}`}
          onClick={() => {
            setRationale('');
          }}
        >
          {entryCorrectionLabels.mark}…
        </button>
      ) : (
        <form
          aria-label={`${entryCorrectionLabels.mark}: #${String(seq)} ${label}`}
          onSubmit={(e) => {
            e.preventDefault();
            void mark();
          }}
        >
          <label>
            {entryCorrectionLabels.rationale}{' '}
            <textarea
              required
              autoFocus
              value={rationale}
              onChange={(e) => {
                setRationale(e.target.value);
              }}
            />
          </label>{' '}
          <button type="submit" disabled={busy || rationale.trim() === ''}>
            {entryCorrectionLabels.mark}
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setRationale(null);
              setError(null);
            }}
          >
            {entryCorrectionLabels.cancel}
          </button>
        </form>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}
