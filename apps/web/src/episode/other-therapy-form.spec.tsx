import { describe, expect, it } from '@jest/globals';
import { fireEvent, screen } from '@testing-library/react';

import {
  choose,
  NOW,
  offered,
  renderForm,
  sent,
} from '../testing/event-form.testing.js';

const other = () => offered('other-therapy.started');

function record() {
  fireEvent.click(screen.getByRole('button', { name: 'Record' }));
}

describe('the other-therapy form', () => {
  it('picks a common medication by its ATC code and sends it with the dose as given', () => {
    const { onSubmit } = renderForm(other());
    choose(
      screen.getByLabelText('Common medications'),
      'IVIG (normal human immunoglobulin, intravascular)',
    );
    fireEvent.change(screen.getByLabelText(/^Amount/), {
      target: { value: '60' },
    });
    choose(screen.getByLabelText(/^Unit/), 'g');
    choose(screen.getByLabelText(/^Route/), 'IV');
    choose(screen.getByLabelText(/^How often/), 'once');
    record();
    const payload = sent(onSubmit);
    expect(payload).toMatchObject({
      medication: {
        system: 'http://www.whocc.no/atc',
        code: 'J06BA02',
      },
      dose: { value: 60, unit: 'g' },
      route: 'iv',
      schedule: { kind: 'once' },
      givenAt: NOW,
    });
    expect(typeof payload['recordId']).toBe('string');
  });

  it('takes any other medication with its terminology, code and name', () => {
    const { onSubmit } = renderForm(other());
    choose(
      screen.getByLabelText('Common medications'),
      'other: enter its code',
    );
    choose(screen.getByLabelText('Terminology'), 'RxNorm');
    fireEvent.change(screen.getByLabelText('Code'), {
      target: { value: '3008' },
    });
    fireEvent.change(screen.getByLabelText('Name'), {
      target: { value: 'cyclosporine eye drops' },
    });
    record();
    expect(sent(onSubmit)['medication']).toEqual({
      system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
      code: '3008',
      display: 'cyclosporine eye drops',
    });
  });

  it('asks for the code of a medication entered by hand before sending', () => {
    const { onSubmit } = renderForm(other());
    choose(
      screen.getByLabelText('Common medications'),
      'other: enter its code',
    );
    record();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(
      document.getElementById('root_medication_code__error'),
    ).not.toBeNull();
  });
});
