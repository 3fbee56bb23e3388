import type { ReactNode } from 'react';

/**
 * A link that moves the keyboard focus to `target` (an element with that id
 * and tabIndex -1). It never changes the address: the app's routes live in
 * the hash, so a plain `#target` link would leave the page.
 */
export function SkipLink({
  target,
  children,
  className = 'skip',
}: {
  readonly target: string;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  return (
    <a
      className={className}
      href={`#${target}`}
      onClick={(event) => {
        event.preventDefault();
        const element = document.getElementById(target);
        element?.focus();
        element?.scrollIntoView({ block: 'start' });
      }}
    >
      {children}
    </a>
  );
}
