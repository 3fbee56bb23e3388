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
): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(initial);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.request<T>('GET', path).then(
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
  }, [api, path, reload]);
  return { data, error };
}
