/**
 * What a user typed and has not sent yet (a reason for a correction, a
 * migration's rationale) is kept in this tab's sessionStorage across a
 * reload, under keys that start with `DRAFT_PREFIX`. It belongs to the user
 * who typed it: every draft goes when the session ends (signed out here,
 * refused by the service), so the next user of a shared ward computer never
 * finds, or sends under their own name, what the last one wrote.
 */
export const DRAFT_PREFIX = 'mas.';

/** Forgets every draft of this tab (storage refused: nothing to forget). */
export function clearDrafts(storage: Storage = sessionStorage): void {
  try {
    const keys: string[] = [];
    for (let index = 0; index < storage.length; index += 1) {
      const key = storage.key(index);
      if (key?.startsWith(DRAFT_PREFIX)) keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  } catch {
    // No storage here: the drafts lived in the page only.
  }
}
