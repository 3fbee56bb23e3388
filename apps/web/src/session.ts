import type { Role, Session } from './api/types.js';

const KEY = 'mas.session';
const roles: readonly Role[] = [
  'clinician',
  'senior',
  'trainee',
  'auditor',
  'admin',
];

/** The signed-in user, kept for this browser tab only. */
export function loadSession(storage: Storage = sessionStorage): Session | null {
  const raw = storage.getItem(KEY);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    if (
      typeof value.token === 'string' &&
      typeof value.username === 'string' &&
      roles.includes(value.role as Role)
    ) {
      return value as Session;
    }
  } catch {
    // fall through: a damaged entry is no session
  }
  storage.removeItem(KEY);
  return null;
}

export function saveSession(
  session: Session | null,
  storage: Storage = sessionStorage,
): void {
  if (session) storage.setItem(KEY, JSON.stringify(session));
  else storage.removeItem(KEY);
}
