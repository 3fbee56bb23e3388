import { useEffect, useState } from 'react';

export type Route =
  | { readonly page: 'board' }
  | { readonly page: 'training' }
  | { readonly page: 'episode'; readonly id: string }
  | { readonly page: 'audit' }
  | { readonly page: 'quality' }
  | { readonly page: 'protocol' };

/**
 * `#/episodes/<id>`, `#/training`, `#/audit`, `#/quality`, `#/protocol`;
 * anything else is the board.
 */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const episode = /^\/episodes\/([0-9a-f-]{36})$/.exec(path);
  if (episode?.[1]) return { page: 'episode', id: episode[1] };
  if (path === '/audit') return { page: 'audit' };
  if (path === '/quality') return { page: 'quality' };
  if (path === '/protocol') return { page: 'protocol' };
  if (path === '/training') return { page: 'training' };
  return { page: 'board' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'board':
      return '#/';
    case 'training':
      return '#/training';
    case 'audit':
      return '#/audit';
    case 'quality':
      return '#/quality';
    case 'protocol':
      return '#/protocol';
    case 'episode':
      return `#/episodes/${route.id}`;
  }
}

export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  return [
    route,
    (next) => {
      location.hash = hrefOf(next);
    },
  ];
}
