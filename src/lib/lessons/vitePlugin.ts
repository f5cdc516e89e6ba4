/**
 * Vite plugin that turns lessons/ into modules at build time:
 *
 * - `virtual:wirescope-lessons`: the list of lessons (titles and summaries only) and `loadLesson(slug)`,
 *   which imports one lesson's chunk on demand;
 * - `virtual:wirescope-lesson/<slug>`: that lesson's compiled, sanitised HTML in both languages.
 *
 * The whole tree is validated first; any problem fails the build with one line per problem naming the
 * file and step. In dev, editing a lesson reloads the page.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';
import { compileLesson, lessonEntry } from './compile.ts';
import { formatProblem } from './parse.ts';
import { validateLessons, type ValidLesson } from './validate.ts';

const INDEX_ID = 'virtual:wirescope-lessons';
const LESSON_PREFIX = 'virtual:wirescope-lesson/';

export function readLessonFiles(root: string): Record<string, string> {
  const dir = join(root, 'lessons');
  const files: Record<string, string> = {};
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      if (name.startsWith('.')) continue;
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(root, full).split(sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

export class LessonBuildError extends Error {
  override name = 'LessonBuildError';
}

export function loadValidLessons(root: string): ValidLesson[] {
  const { lessons, problems } = validateLessons(readLessonFiles(root));
  if (problems.length > 0)
    throw new LessonBuildError(
      `wirescope: ${problems.length} problem(s) in lessons/\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`,
    );
  return lessons;
}

export function lessonsPlugin(): Plugin {
  let root = process.cwd();
  let building = false;
  let cache: ValidLesson[] | undefined;
  const lessons = (): ValidLesson[] => (cache ??= loadValidLessons(root));

  return {
    name: 'wirescope-lessons',
    configResolved(config) {
      root = config.root;
      building = config.command === 'build';
    },
    buildStart() {
      cache = undefined;
      // A production build fails at once on a bad lesson; the dev server and vitest (which share this
      // config) only fail when a page actually imports the lessons, so other work is not blocked.
      if (!building) return;
      lessons();
      for (const path of Object.keys(readLessonFiles(root))) this.addWatchFile(join(root, path));
    },
    resolveId(id) {
      if (id === INDEX_ID || id.startsWith(LESSON_PREFIX)) return `\0${id}`;
      return undefined;
    },
    load(id) {
      if (id === `\0${INDEX_ID}`) {
        const all = lessons();
        const loaders = all
          .map((l) => `  ${JSON.stringify(l.slug)}: () => import(${JSON.stringify(LESSON_PREFIX + l.slug)}),`)
          .join('\n');
        return [
          `export const lessons = ${JSON.stringify(all.map(lessonEntry))};`,
          `const loaders = {\n${loaders}\n};`,
          'export function loadLesson(slug) {',
          '  const load = Object.hasOwn(loaders, slug) ? loaders[slug] : undefined;',
          '  return load ? load().then((m) => m.default) : Promise.resolve(undefined);',
          '}',
        ].join('\n');
      }
      if (id.startsWith(`\0${LESSON_PREFIX}`)) {
        const slug = id.slice(LESSON_PREFIX.length + 1);
        const lesson = lessons().find((l) => l.slug === slug);
        if (!lesson) this.error(`wirescope: no lesson "${slug}"`);
        return `export default ${JSON.stringify(compileLesson(lesson))};`;
      }
      return undefined;
    },
    configureServer(server: ViteDevServer) {
      const dir = join(root, 'lessons');
      server.watcher.add(dir);
      const reload = (path: string): void => {
        if (!path.startsWith(dir)) return;
        cache = undefined;
        for (const id of [...server.moduleGraph.idToModuleMap.keys()]) {
          if (id.startsWith('\0virtual:wirescope-lesson')) {
            const mod = server.moduleGraph.getModuleById(id);
            if (mod) server.moduleGraph.invalidateModule(mod);
          }
        }
        try {
          lessons();
          server.ws.send({ type: 'full-reload' });
        } catch (error) {
          server.config.logger.error((error as Error).message);
        }
      };
      server.watcher.on('change', reload);
      server.watcher.on('add', reload);
      server.watcher.on('unlink', reload);
    },
  };
}
