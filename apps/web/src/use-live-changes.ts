import { useEffect, useRef } from 'react';

/** A change the service announces: an episode moved to a version. */
export interface EpisodeChange {
  readonly id: string;
  readonly version: number;
  readonly kind: 'real' | 'training';
}

/**
 * Calls `onChange` for every episode change the service announces (server-
 * sent events at /api/changes, in the session's cookie; the browser
 * reconnects by itself). Where the browser has no EventSource (tests), it
 * does nothing.
 */
export function useLiveChanges(
  onChange: (change: EpisodeChange) => void,
): void {
  // The latest callback, without reconnecting when it changes.
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const source = new EventSource('/api/changes');
    const listener = (event: MessageEvent<string>) => {
      try {
        latest.current(JSON.parse(event.data) as EpisodeChange);
      } catch {
        // Not a change this page understands: ignored.
      }
    };
    source.addEventListener('episode', listener);
    return () => {
      source.removeEventListener('episode', listener);
      source.close();
    };
  }, []);
}
