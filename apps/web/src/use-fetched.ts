import { useEffect, useState } from 'react';

import type { ApiClient } from './api/client.js';

/**
 * GETs `path` when it (or `reload`) changes; the answer, or the error in
 * words. An answer that arrives after the component moved on is dropped.
 */
export function useFetched<T>(
  api: ApiClient,
  path: string,
  reload: unknown = null,
  initial: T | null = null,
  /**
   * The page fetches on its own (a live reload), not on the user's action:
   * the service does not count it as activity (idle sign-out still comes).
   */
  background = false,
): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(initial);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .request<T>(
        'GET',
        path,
        undefined,
        background ? { 'x-mas-activity': 'background' } : {},
      )
      .then(
        (answer) => {
          if (live) setData(answer);
        },
        (e: unknown) => {
          if (live) setError(e instanceof Error ? e.message : String(e));
        },
      );
    return () => {
      live = false;
    };
    // (Whether it is a background fetch goes with the reload that asks.)
  }, [api, path, reload]);
  return { data, error };
}
