// Runs the state-coverage spec after every scenario spec has recorded what
// it visited (one worker: the order holds).
import Sequencer from '@jest/test-sequencer';

const Base = Sequencer.default ?? Sequencer;

export default class CoverageLastSequencer extends Base {
  sort(tests) {
    const byPath = [...tests].sort((a, b) => a.path.localeCompare(b.path));
    const last = (test) => test.path.includes('state-coverage');
    return [...byPath.filter((t) => !last(t)), ...byPath.filter(last)];
  }
}
