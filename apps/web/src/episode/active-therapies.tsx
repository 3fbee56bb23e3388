import type { OtherTherapyRecord, TherapyRecord } from '@mas/mas-episode';

import { formatTime } from './clinical-time.model.js';
import {
  otherTherapyLine,
  type TherapyLine,
  therapyLine,
} from './therapy.model.js';

export interface ActiveTherapiesProps {
  readonly therapies: readonly TherapyRecord[];
  readonly otherTherapies: readonly OtherTherapyRecord[];
}

function Line({ line }: { readonly line: TherapyLine }) {
  return (
    <li data-therapy={line.key}>
      <strong>{line.name}</strong>: {line.given}, given{' '}
      <time dateTime={line.givenAt}>{formatTime(line.givenAt)}</time> by{' '}
      {line.by}
      {line.recordedAt ? (
        <span className="hint">
          {' '}
          (recorded{' '}
          <time dateTime={line.recordedAt}>{formatTime(line.recordedAt)}</time>)
        </span>
      ) : null}
      {line.confirmedOutside ? (
        <>
          {' '}
          <span className="badge warning">{line.confirmedOutside}</span>
        </>
      ) : null}
      {line.notes.length > 0 ? (
        <span className="hint"> — {line.notes.join('; ')}</span>
      ) : null}
    </li>
  );
}

/** The therapies running now, each with its dose as given. */
export function ActiveTherapies({
  therapies,
  otherTherapies,
}: ActiveTherapiesProps) {
  const running = therapies.filter((t) => t.stoppedAt === undefined);
  const others = otherTherapies.filter((t) => t.stoppedAt === undefined);
  return (
    <section className="therapies" aria-labelledby="therapies-title">
      <h2 id="therapies-title">Active therapies</h2>
      {running.length === 0 && others.length === 0 ? (
        <p>No therapy running.</p>
      ) : (
        <ul>
          {running.map((record) => {
            const line = therapyLine(record);
            return <Line key={line.key} line={line} />;
          })}
          {others.map((record) => {
            const line = otherTherapyLine(record);
            return <Line key={line.key} line={line} />;
          })}
        </ul>
      )}
    </section>
  );
}
