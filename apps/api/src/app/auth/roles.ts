/** The roles of the service's users. */
export const USER_ROLES = [
  'clinician',
  'senior',
  'trainee',
  'auditor',
  'admin',
] as const;

export type UserRole = (typeof USER_ROLES)[number];
