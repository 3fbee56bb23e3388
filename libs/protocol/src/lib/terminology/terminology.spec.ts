import { describe, expect, it } from '@jest/globals';

import { drugIds } from '../doses/dose-request.schema.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import { analyteIds } from '../protocol/protocol.types.js';
import {
  analyteCode,
  drugCode,
  loincTarget,
  terminology,
} from './terminology.constant.js';

/** LOINC's check digit (its "Mod 10" algorithm, Luhn's). */
function loincCheckDigit(body: string): number {
  let sum = 0;
  for (let index = 0; index < body.length; index += 1) {
    let digit = Number(body.charAt(body.length - 1 - index));
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

describe('the terminology', () => {
  it('knows the check digit on codes of its own source (2276-4 ferritin, 718-7 haemoglobin)', () => {
    expect(loincCheckDigit('2276')).toBe(4);
    expect(loincCheckDigit('718')).toBe(7);
    expect(loincCheckDigit('2277')).not.toBe(4);
  });

  it('gives every accepted unit of a coded analyte a LOINC code whose check digit holds', () => {
    for (const analyte of analyteIds) {
      const coding = terminology.analytes[analyte];
      // An analyte without codes says why (the resource carries words).
      if ('uncoded' in coding) continue;
      for (const unit of masProtocolDefinition.analytes[analyte]
        .acceptedUnits) {
        const code = analyteCode(analyte, unit);
        expect({ analyte, unit, coded: code !== null }).toEqual({
          analyte,
          unit,
          coded: true,
        });
        const [body, check] = (code?.code ?? '').split('-');
        expect({
          analyte,
          code: code?.code,
          valid: loincCheckDigit(body ?? '') === Number(check),
        }).toEqual({
          analyte,
          code: code?.code,
          valid: true,
        });
      }
      // No code for a unit the protocol does not accept.
      expect(Object.keys(coding.loinc).sort()).toEqual(
        [...masProtocolDefinition.analytes[analyte].acceptedUnits].sort(),
      );
      expect(terminology.sources.map((s) => s.id)).toContain(coding.source);
    }
    const [body, check] = terminology.temperature.loinc.code.split('-');
    expect(loincCheckDigit(body ?? '')).toBe(Number(check));
  });

  it('gives each protocol drug an ATC code of the ATC form, or says why not', () => {
    const forms = drugIds.map((drug) => {
      const coding = terminology.drugs[drug];
      return {
        drug,
        form:
          'uncoded' in coding
            ? coding.uncoded.length > 20
            : /^[A-V]\d\d[A-Z][A-Z]\d\d$/.test(drugCode(drug)?.code ?? ''),
      };
    });
    expect(forms).toEqual(drugIds.map((drug) => ({ drug, form: true })));
  });

  it('says why for every analyte left without codes', () => {
    const reasons = analyteIds.flatMap((analyte) => {
      const coding = terminology.analytes[analyte];
      return 'uncoded' in coding ? [coding.uncoded] : [];
    });
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((reason) => reason.length > 20)).toBe(true);
  });

  it('is versioned with a hash of its own, apart from the protocol', () => {
    expect(terminology.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(terminology.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('what a LOINC code names (the FHIR import reads results by it)', () => {
  it('the temperature by its own code, in its own unit', () => {
    expect(loincTarget('8310-5')).toEqual({
      kind: 'temperature',
      unit: terminology.temperature.unit,
    });
  });

  it('an analyte by its code, with every unit coded under it', () => {
    expect(loincTarget('2276-4')).toEqual({
      kind: 'analyte',
      analyte: 'ferritin',
      units: ['ng/mL', 'ug/L'],
    });
    expect(loincTarget('4537-7')).toMatchObject({
      kind: 'analyte',
      analyte: 'esr',
    });
  });

  it('every coded analyte is found by each of its codes; an unknown code is null', () => {
    for (const analyte of analyteIds) {
      const coding = terminology.analytes[analyte];
      if (!('loinc' in coding)) continue;
      for (const entry of Object.values(coding.loinc)) {
        expect(loincTarget(entry.code)).toMatchObject({ analyte });
      }
    }
    // sCD25 has no code here (the method decides it): nothing names it.
    expect(loincTarget('99999-9')).toBeNull();
    expect(loincTarget('')).toBeNull();
  });
});
