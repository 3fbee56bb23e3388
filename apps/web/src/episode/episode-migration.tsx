import { type JSX, useEffect, useState } from 'react';

import { type ApiClient, errorWords } from '../api/client.js';
import type { ProtocolVersionList } from '../api/types.js';
import { DRAFT_PREFIX } from '../drafts.js';

type Plan = ProtocolVersionList[number]['migrations'][number];

interface Draft {
  readonly target: string | null;
  readonly rationale: string;
}

const EMPTY_DRAFT: Draft = { target: null, rationale: '' };

function readDraft(key: string): Draft {
  try {
    const stored = JSON.parse(sessionStorage.getItem(key) ?? 'null') as unknown;
    if (
      typeof stored === 'object' &&
      stored !== null &&
      'rationale' in stored &&
      typeof stored.rationale === 'string' &&
      'target' in stored &&
      (typeof stored.target === 'string' || stored.target === null)
    ) {
      return { target: stored.target, rationale: stored.rationale };
    }
  } catch {
    // No storage (or a broken entry): start empty.
  }
  return EMPTY_DRAFT;
}

function writeDraft(key: string, draft: Draft): void {
  try {
    if (draft.target === null && draft.rationale === '') {
      sessionStorage.removeItem(key);
    } else {
      sessionStorage.setItem(key, JSON.stringify(draft));
    }
  } catch {
    // Storage full or refused: the draft lives in the page only.
  }
}

export interface EpisodeMigrationProps {
  readonly api: ApiClient;
  readonly episodeId: string;
  /** The record version the page shows (the move's expected version). */
  readonly version: number;
  /** The protocol version the episode runs under. */
  readonly protocolVersion: string;
  /** After the move: the page reloads the episode. */
  readonly onMoved: () => void;
}

/**
 * For a senior on a running episode: the proven plans that move it from its
 * protocol version to another deployed one, each with what it changes, and
 * the move itself once a reason is given (`POST /api/episodes/:id/migrate`,
 * audited like every event). Nothing shows where no plan leads on.
 */
export function EpisodeMigration({
  api,
  episodeId,
  version,
  protocolVersion,
  onMoved,
}: EpisodeMigrationProps): JSX.Element | null {
  const [plans, setPlans] = useState<readonly Plan[]>([]);
  // The draft outlives a reload of the page (a live change, a conflict):
  // what was typed is never lost.
  const draftKey = `${DRAFT_PREFIX}migration.${episodeId}`;
  const [draft, setDraftState] = useState<Draft>(() => readDraft(draftKey));
  const setDraft = (next: Draft) => {
    setDraftState(next);
    writeDraft(draftKey, next);
  };
  const { target, rationale } = draft;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    api
      .request<ProtocolVersionList>('GET', '/api/protocol/versions')
      .then((versions) => {
        if (!live) return;
        const deployed = new Set(
          versions.filter((v) => v.status === 'deployed').map((v) => v.version),
        );
        setPlans(
          versions
            .find((v) => v.version === protocolVersion)
            ?.migrations.filter((m) => deployed.has(m.to)) ?? [],
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, protocolVersion]);
  if (plans.length === 0) return null;
  const plan = plans.find((p) => p.to === target) ?? null;

  const move = async () => {
    if (plan === null) return;
    setBusy(true);
    setError(null);
    try {
      await api.request('POST', `/api/episodes/${episodeId}/migrate`, {
        toVersion: plan.to,
        rationale,
        expectedVersion: version,
      });
      setDraft(EMPTY_DRAFT);
      onMoved();
    } catch (caught) {
      setError(errorWords(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="no-print" aria-label="Protocol version">
      {plan === null ? (
        <p>
          {plans.map((p) => (
            <button
              key={p.to}
              type="button"
              onClick={() => {
                setDraft({ ...draft, target: p.to });
              }}
            >
              Move to protocol version {p.to}…
            </button>
          ))}
        </p>
      ) : (
        <form
          aria-label={`Move to protocol version ${plan.to}`}
          onSubmit={(e) => {
            e.preventDefault();
            void move();
          }}
        >
          <p>
            From {protocolVersion} to {plan.to} by the proven plan:{' '}
            {plan.summary}
          </p>
          <label>
            Why (kept in the audit){' '}
            <textarea
              required
              autoFocus
              value={rationale}
              onChange={(e) => {
                setDraft({ ...draft, rationale: e.target.value });
              }}
            />
          </label>{' '}
          <button type="submit" disabled={busy || rationale.trim() === ''}>
            Move to {plan.to}
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY_DRAFT);
              setError(null);
            }}
          >
            Cancel
          </button>
        </form>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}
