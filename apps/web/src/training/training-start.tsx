import { useState } from 'react';

import type { ApiClient } from '../api/client.js';
import { useFetched } from '../use-fetched.js';
import type { ScenarioList, TrainingState } from './training.api.js';

export interface TrainingStartProps {
  readonly api: ApiClient;
  readonly onStarted: (episodeId: string) => void;
}

/** Start a scenario as a training episode (listed apart from real ones). */
export function TrainingStart({ api, onStarted }: TrainingStartProps) {
  const { data: list, error: loadError } = useFetched<ScenarioList>(
    api,
    '/api/training/scenarios',
  );
  const [startError, setError] = useState<string | null>(null);
  const error = startError ?? loadError;
  return (
    <section aria-labelledby="start-title">
      <h2 id="start-title">Start a training scenario</h2>
      {list ? (
        <p className="notice training" role="note">
          Virtual patients: MODEL OUTPUT, never evidence. {list.notice}
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      <form
        aria-label="Start a training scenario"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const scenarioId = data.get('scenarioId');
          const seedText = data.get('seed');
          const seed =
            typeof seedText === 'string' && seedText.trim() !== ''
              ? Number(seedText)
              : undefined;
          api
            .request<TrainingState>('POST', '/api/training/episodes', {
              scenarioId,
              ...(seed === undefined ? {} : { seed }),
            })
            .then(
              (state) => onStarted(state.episodeId),
              (err: unknown) =>
                setError(err instanceof Error ? err.message : String(err)),
            );
        }}
      >
        <label>
          Scenario{' '}
          <select name="scenarioId" required>
            {list?.scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed (optional) <input name="seed" type="number" min="0" step="1" />
        </label>
        <button type="submit" disabled={list === null}>
          Start
        </button>
      </form>
    </section>
  );
}
