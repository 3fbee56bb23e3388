import { useEffect, useRef, useState } from 'react';

import type { UnusualItem } from './event-form.model.js';

export interface UnusualConfirmationProps {
  readonly items: readonly UnusualItem[];
  /** The service's words, when it is the service that asks. */
  readonly serverMessage?: string;
  readonly busy: boolean;
  readonly onConfirm: (fields: readonly string[]) => void;
  readonly onBack: () => void;
}

/**
 * Values outside their usual range (most often a unit slip): each shown
 * with the range, each confirmed on its own before the panel is recorded.
 */
export function UnusualConfirmation({
  items,
  serverMessage,
  busy,
  onConfirm,
  onBack,
}: UnusualConfirmationProps) {
  const [confirmed, setConfirmed] = useState<ReadonlySet<string>>(new Set());
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const all = items.every((item) => confirmed.has(item.field));
  return (
    <section
      className="confirm unusual-confirmation"
      aria-labelledby="unusual-confirmation-title"
    >
      <h4 id="unusual-confirmation-title" ref={heading} tabIndex={-1}>
        Confirm unusual values
      </h4>
      {serverMessage ? <p role="alert">{serverMessage}</p> : null}
      <p>
        Each value below is outside its usual range, most often a unit slip.
        Correct it, or confirm each one.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (all) onConfirm(items.map((item) => item.field));
        }}
      >
        <ul className="plain">
          {items.map((item) => (
            <li key={item.field}>
              <label>
                <input
                  type="checkbox"
                  checked={confirmed.has(item.field)}
                  onChange={(e) => {
                    const next = new Set(confirmed);
                    if (e.target.checked) next.add(item.field);
                    else next.delete(item.field);
                    setConfirmed(next);
                  }}
                />{' '}
                I confirm {item.label}: {item.text}
              </label>
            </li>
          ))}
        </ul>
        <div className="form-buttons">
          <button type="submit" disabled={busy || !all}>
            Record with these values confirmed
          </button>{' '}
          <button type="button" onClick={onBack}>
            Correct the values
          </button>
        </div>
      </form>
    </section>
  );
}
