/**
 * Hash routes of the course, as pure functions (the shell listens to `hashchange`):
 *
 *   #/en/                                 home
 *   #/ko/03-opening-handshake/5           a lesson at step 5 (1-based in the URL, 0-based in code)
 *   #/en/03-opening-handshake/3?choice=bad-key
 *   #/en/03-opening-handshake/3?present=1     presentation mode (a projector: diagram and narration only)
 *   #/en/inspector  #/en/lab  #/en/inspect (your own app, behind wirescope --target)
 */
import { isLang, type Lang } from '../i18n';

export type Route =
  | { kind: 'home'; lang: Lang }
  | { kind: 'lesson'; lang: Lang; slug: string; step: number; choice?: string; present?: boolean }
  | { kind: 'inspector'; lang: Lang }
  | { kind: 'lab'; lang: Lang }
  | { kind: 'inspect'; lang: Lang }
  | { kind: 'not-found'; lang: Lang; path: string };

const SLUG = /^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CHOICE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function parseHash(hash: string, fallbackLang: Lang): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const segments = path.split('/').filter(Boolean);
  const first = segments[0];
  if (first === undefined) return { kind: 'home', lang: fallbackLang };
  if (!isLang(first)) return { kind: 'not-found', lang: fallbackLang, path: raw };
  const lang = first;
  const [page, stepText, ...rest] = segments.slice(1);
  if (page === undefined) return { kind: 'home', lang };
  if (rest.length > 0) return { kind: 'not-found', lang, path: raw };
  if ((page === 'inspector' || page === 'lab' || page === 'inspect') && stepText === undefined)
    return { kind: page, lang };
  if (!SLUG.test(page)) return { kind: 'not-found', lang, path: raw };
  const number = stepText === undefined ? 1 : Number(stepText);
  const step = Number.isInteger(number) && number >= 1 ? number - 1 : 0;
  const params = new URLSearchParams(query);
  const choice = params.get('choice');
  return {
    kind: 'lesson',
    lang,
    slug: page,
    step,
    ...(choice && CHOICE.test(choice) ? { choice } : {}),
    ...(params.get('present') === '1' ? { present: true } : {}),
  };
}

export function formatHash(route: Route): string {
  switch (route.kind) {
    case 'home':
      return `#/${route.lang}/`;
    case 'inspector':
    case 'lab':
    case 'inspect':
      return `#/${route.lang}/${route.kind}`;
    case 'lesson': {
      const query = [route.choice ? `choice=${route.choice}` : '', route.present ? 'present=1' : '']
        .filter(Boolean)
        .join('&');
      return `#/${route.lang}/${route.slug}/${route.step + 1}${query ? `?${query}` : ''}`;
    }
    case 'not-found':
      return `#/${route.lang}/`;
  }
}

/** The same place in the other language. */
export function withLang(route: Route, lang: Lang): Route {
  return route.kind === 'not-found' ? { kind: 'home', lang } : { ...route, lang };
}
