import type { LabPanelInput } from '@mas/protocol';

/** The values of a monitoring panel, in common lab units. */
export interface PanelValues {
  readonly ferritinNgMl: number;
  readonly plateletsPer1e9L: number;
  readonly neutrophilsPer1e9L: number;
  readonly hemoglobinGL: number;
  readonly fibrinogenMgDl: number;
  readonly astUL: number;
  readonly altUL: number;
  readonly ldhUL: number;
  readonly triglyceridesMgDl: number;
  readonly sCD25UMl: number;
  readonly creatinineUmolL: number;
  readonly bilirubinUmolL: number;
  readonly leukocytesPer1e9L: number;
  readonly esrMmH: number;
  readonly temperatureC: number;
}

/** Findings of a febrile patient with known sJIA. */
export const febrileSjia = { febrile: true, sjiaKnownOrSuspected: true };

/** A full panel: every monitoring item of the protocol is present. */
export function panelOf(
  values: PanelValues,
  findings: Partial<Record<string, boolean>> = {},
): LabPanelInput {
  return {
    ...findings,
    temperatureC: values.temperatureC,
    ferritin: { value: values.ferritinNgMl, unit: 'ng/mL' },
    platelets: { value: values.plateletsPer1e9L, unit: '10*9/L' },
    neutrophils: { value: values.neutrophilsPer1e9L, unit: '10*9/L' },
    leukocytes: { value: values.leukocytesPer1e9L, unit: '10*9/L' },
    hemoglobin: { value: values.hemoglobinGL, unit: 'g/L' },
    fibrinogen: { value: values.fibrinogenMgDl, unit: 'mg/dL' },
    ast: { value: values.astUL, unit: 'U/L' },
    alt: { value: values.altUL, unit: 'U/L' },
    ldh: { value: values.ldhUL, unit: 'U/L' },
    triglycerides: { value: values.triglyceridesMgDl, unit: 'mg/dL' },
    sCD25: { value: values.sCD25UMl, unit: 'U/mL' },
    creatinine: { value: values.creatinineUmolL, unit: 'umol/L' },
    bilirubin: { value: values.bilirubinUmolL, unit: 'umol/L' },
    esr: { value: values.esrMmH, unit: 'mm/h' },
  };
}

/** Florid MAS: meets the 2016 criteria and the HScore cut-off. */
export const floridMas: PanelValues = {
  ferritinNgMl: 12000,
  plateletsPer1e9L: 95,
  neutrophilsPer1e9L: 1.4,
  hemoglobinGL: 88,
  fibrinogenMgDl: 140,
  astUL: 180,
  altUL: 120,
  ldhUL: 1400,
  triglyceridesMgDl: 290,
  sCD25UMl: 6000,
  creatinineUmolL: 45,
  bilirubinUmolL: 18,
  leukocytesPer1e9L: 3.2,
  esrMmH: 12,
  temperatureC: 39.6,
};

/** Active sJIA without MAS: nothing points to MAS. */
export const activeSjiaFlare: PanelValues = {
  ferritinNgMl: 450,
  plateletsPer1e9L: 480,
  neutrophilsPer1e9L: 12,
  hemoglobinGL: 105,
  fibrinogenMgDl: 520,
  astUL: 25,
  altUL: 20,
  ldhUL: 300,
  triglyceridesMgDl: 110,
  sCD25UMl: 900,
  creatinineUmolL: 40,
  bilirubinUmolL: 8,
  leukocytesPer1e9L: 18,
  esrMmH: 80,
  temperatureC: 39.1,
};

/** The same patient after a good response. */
export function improved(values: PanelValues): PanelValues {
  return {
    ...values,
    ferritinNgMl: Math.round(values.ferritinNgMl * 0.4),
    plateletsPer1e9L: Math.round(values.plateletsPer1e9L * 1.6),
    neutrophilsPer1e9L: Math.round(values.neutrophilsPer1e9L * 150) / 100,
    fibrinogenMgDl: Math.round(values.fibrinogenMgDl * 1.6),
    temperatureC: 37.2,
  };
}

/** Little change: ferritin falls by 10%. */
export function unchanged(values: PanelValues): PanelValues {
  return { ...values, ferritinNgMl: Math.round(values.ferritinNgMl * 0.9) };
}

/** The same patient getting worse. */
export function worse(values: PanelValues): PanelValues {
  return {
    ...values,
    ferritinNgMl: Math.round(values.ferritinNgMl * 1.8),
    plateletsPer1e9L: Math.round(values.plateletsPer1e9L * 0.6),
    fibrinogenMgDl: Math.round(values.fibrinogenMgDl * 0.7),
    temperatureC: 40.1,
  };
}
