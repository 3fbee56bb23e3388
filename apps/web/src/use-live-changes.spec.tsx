import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { act, renderHook } from '@testing-library/react';

import { RECONNECT_MS, useLiveChanges } from './use-live-changes.js';

/** An EventSource the test drives: opened, sent events, refused. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.opened.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }
  announce(data: unknown): void {
    this.dispatchEvent(
      new MessageEvent('episode', { data: JSON.stringify(data) }),
    );
  }
  /** The stream answered (first, or again after a retried drop). */
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }
  /** A dropped connection the browser retries (CONNECTING) or gives up on (CLOSED). */
  fail(readyState: number): void {
    this.readyState = readyState;
    this.dispatchEvent(new Event('error'));
  }
}

describe('live changes: the stream, and what happens when it is lost', () => {
  beforeEach(() => {
    FakeEventSource.opened = [];
    (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
    delete (globalThis as { EventSource?: unknown }).EventSource;
  });

  it('passes announced changes on; a retried drop is the browser’s business', () => {
    const onChange = jest.fn();
    const onLost = jest.fn();
    renderHook(() => useLiveChanges(onChange, onLost));
    const [source] = FakeEventSource.opened;
    source?.announce({ id: 'e1', version: 2, kind: 'real' });
    expect(onChange).toHaveBeenCalledWith({
      id: 'e1',
      version: 2,
      kind: 'real',
    });
    source?.fail(FakeEventSource.CONNECTING);
    expect(onLost).not.toHaveBeenCalled();
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it('a page showing an episode names it and the version it read, so that a change made before the stream answered is told', () => {
    renderHook(() =>
      useLiveChanges(jest.fn(), jest.fn(), {
        id: '4b35add8-c734-4f53-861d-f3bab4bf1685',
        version: 7,
      }),
    );
    expect(FakeEventSource.opened.map((source) => source.url)).toEqual([
      '/api/changes?episode=4b35add8-c734-4f53-861d-f3bab4bf1685&version=7',
    ]);
  });

  it('listening again after a drop, the page reloads what it shows (what changed meanwhile was not told); not at the first opening', () => {
    const onLost = jest.fn();
    renderHook(() => useLiveChanges(jest.fn(), onLost));
    const [source] = FakeEventSource.opened;
    source?.open();
    expect(onLost).not.toHaveBeenCalled();
    // The browser's own retry, answered.
    source?.fail(FakeEventSource.CONNECTING);
    source?.open();
    expect(onLost).toHaveBeenCalledTimes(1);
    // Refused, then listened to again after the delay: told at the
    // refusal, and again once the new stream answers.
    source?.fail(FakeEventSource.CLOSED);
    expect(onLost).toHaveBeenCalledTimes(2);
    act(() => {
      jest.advanceTimersByTime(RECONNECT_MS);
    });
    FakeEventSource.opened[1]?.open();
    expect(onLost).toHaveBeenCalledTimes(3);
  });

  it('a refused stream (the browser gives up): the page is told once, and listens again after the delay', () => {
    const onChange = jest.fn();
    const onLost = jest.fn();
    const { unmount } = renderHook(() => useLiveChanges(onChange, onLost));
    const [first] = FakeEventSource.opened;
    first?.fail(FakeEventSource.CLOSED);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(first?.closed).toBe(true);
    act(() => {
      jest.advanceTimersByTime(RECONNECT_MS - 1);
    });
    expect(FakeEventSource.opened).toHaveLength(1);
    act(() => {
      jest.advanceTimersByTime(1);
    });
    expect(FakeEventSource.opened).toHaveLength(2);
    // The new stream is heard; the old one no longer is.
    FakeEventSource.opened[1]?.announce({ id: 'e2', version: 3, kind: 'real' });
    first?.announce({ id: 'e1', version: 9, kind: 'real' });
    expect(onChange.mock.calls).toEqual([
      [{ id: 'e2', version: 3, kind: 'real' }],
    ]);
    // Leaving the page closes the stream and cancels a pending retry.
    FakeEventSource.opened[1]?.fail(FakeEventSource.CLOSED);
    unmount();
    act(() => {
      jest.advanceTimersByTime(RECONNECT_MS * 2);
    });
    expect(FakeEventSource.opened).toHaveLength(2);
  });
});
