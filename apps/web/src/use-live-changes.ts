import { useEffect, useRef } from 'react';

/** A change the service announces: an episode moved to a version. */
export interface EpisodeChange {
  readonly id: string;
  readonly version: number;
  readonly kind: 'real' | 'training';
}

/** How long after a lost stream the page listens again (a software setting). */
export const RECONNECT_MS = 5_000;

/**
 * Calls `onChange` for every episode change the service announces (server-
 * sent events at /api/changes, in the session's cookie). The browser
 * reconnects by itself after a dropped connection; when it gives up (the
 * service refused the stream: a 401 after the session ended, or an answer
 * that is not a stream), `onLost` is called, so that the page reloads what
 * it shows (changes may have been missed, and a reload of an ended session
 * signs the user out instead of leaving a stale page that looks live), and
 * the page listens again after RECONNECT_MS. `onLost` is called again each
 * time a stream opens after the first (changes made while nobody listened
 * were not told). Where the browser has no
 * EventSource (tests), it does nothing.
 */
export function useLiveChanges(
  onChange: (change: EpisodeChange) => void,
  onLost: () => void = () => undefined,
  /**
   * The episode the page shows and the version it read: the service tells
   * at once of a change made between that read and the stream's answer.
   * (Read at the first opening: a page showing another version is another
   * page.)
   */
  shown?: { readonly id: string; readonly version: number },
): void {
  const url =
    shown === undefined
      ? '/api/changes'
      : `/api/changes?${new URLSearchParams({ episode: shown.id, version: String(shown.version) }).toString()}`;
  const first = useRef(url);
  // The latest callbacks, without reconnecting when they change.
  const latest = useRef({ onChange, onLost });
  latest.current = { onChange, onLost };
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let opened = false;
    const listener = (event: MessageEvent<string>) => {
      try {
        latest.current.onChange(JSON.parse(event.data) as EpisodeChange);
      } catch {
        // Not a change this page understands: ignored.
      }
    };
    const connect = () => {
      const stream = new EventSource(first.current);
      source = stream;
      stream.addEventListener('episode', listener);
      // Listening again (the browser's own retry, or ours after a refusal):
      // what changed while nobody listened was not told, so the page
      // reloads what it shows. (Not at the first opening: the page has
      // just read it.)
      stream.addEventListener('open', () => {
        if (opened) latest.current.onLost();
        opened = true;
      });
      stream.addEventListener('error', () => {
        // Still CONNECTING: the browser is retrying by itself.
        if (stream.readyState !== EventSource.CLOSED) return;
        stream.removeEventListener('episode', listener);
        stream.close();
        latest.current.onLost();
        retry = setTimeout(connect, RECONNECT_MS);
      });
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.removeEventListener('episode', listener);
      source?.close();
    };
  }, []);
}
