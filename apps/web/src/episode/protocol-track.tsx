import { stateLabel } from '@mas/protocol';

/** The protocol's two tracks, in order: where an episode stands on each. */
const TRACKS: readonly {
  readonly title: string;
  readonly states: readonly string[];
}[] = [
  {
    title: 'Diagnosis',
    states: [
      'masEpisode.open.diagnosis.atRisk',
      'masEpisode.open.diagnosis.suspected',
      'masEpisode.open.diagnosis.workUp',
      'masEpisode.open.diagnosis.confirmed',
    ],
  },
  {
    title: 'Treatment',
    states: [
      'masEpisode.open.treatment.untreated',
      'masEpisode.open.treatment.active.firstLine',
      'masEpisode.open.treatment.active.escalated',
      'masEpisode.open.treatment.active.refractory',
      'masEpisode.open.treatment.remission',
      'masEpisode.open.treatment.taper',
    ],
  },
];

/**
 * Background states worth a flag beside the tracks (a trigger present, the
 * protocol on hold, a reassessment overdue, organ support, the disease).
 */
const FLAGS: readonly string[] = [
  'masEpisode.open.triggers.infection.present.uncovered',
  'masEpisode.open.triggers.infection.present.covered',
  'masEpisode.open.triggers.malignancy.present.untreated',
  'masEpisode.open.triggers.malignancy.present.treated',
  'masEpisode.open.triggers.ebv.present',
  'masEpisode.open.hold.onHold',
  'masEpisode.open.reassessment.overdue',
  'masEpisode.open.support.active',
  'masEpisode.open.subtype.stills',
  'masEpisode.open.subtype.sle',
  'masEpisode.open.subtype.other',
];

/** Where the episode ended, when it has. */
const ENDS: readonly string[] = [
  'masEpisode.excluded',
  'masEpisode.died',
  'masEpisode.transferredOut',
  'masEpisode.closed',
];

export interface ProtocolTrackProps {
  /** The states the episode is in now (ids). */
  readonly active: readonly string[];
  /** Every state it has been in (ids). */
  readonly visited: ReadonlySet<string>;
}

/**
 * The protocol at a glance: the diagnosis and treatment tracks with the
 * current stage of each set apart, the stages passed marked, and the
 * background flags beside them. The full statechart is on demand below.
 */
export function ProtocolTrack({ active, visited }: ProtocolTrackProps) {
  const now = new Set(active);
  const flags = FLAGS.filter((id) => now.has(id));
  const ended = ENDS.find((id) => now.has(id));
  return (
    <div className="protocol-track">
      {ended ? (
        <p>
          <strong>Episode ended: {stateLabel(ended)}</strong>
        </p>
      ) : null}
      {TRACKS.map((track) => (
        <div key={track.title} className="track">
          <h3>{track.title}</h3>
          <ol>
            {track.states.map((id) => {
              const current = now.has(id);
              const passed = !current && visited.has(id);
              return (
                <li
                  key={id}
                  className={current ? 'current' : passed ? 'passed' : ''}
                  aria-current={current ? 'step' : undefined}
                >
                  {passed ? <span aria-hidden="true">✓ </span> : null}
                  {stateLabel(id)}
                  {current ? (
                    <span className="visually-hidden"> (now)</span>
                  ) : passed ? (
                    <span className="visually-hidden"> (passed)</span>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </div>
      ))}
      {flags.length > 0 ? (
        <p className="track-flags">
          {flags.map((id) => (
            <span key={id} className="badge warning">
              {stateLabel(id)}
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}
