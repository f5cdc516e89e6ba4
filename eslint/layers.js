/**
 * The layer rule: imports point down, never up (see the README's Layout). Each source file belongs to
 * the first layer whose folder holds it; a relative import of a file in a higher layer is an error
 * that names both layers. The demo server sits beside the page: it may use protocol, trace and i18n,
 * and the page never imports the server. Tests, benchmarks and config files are not layered.
 */
import path from 'node:path';

/** Top to bottom. */
export const LAYERS = [
  { name: 'app', dirs: ['src/App.svelte', 'src/main.ts'] },
  { name: 'pages', dirs: ['src/lib/pages'] },
  { name: 'lessons', dirs: ['src/lib/lessons'] },
  { name: 'lab', dirs: ['src/lib/lab'] },
  { name: 'scenarios', dirs: ['src/lib/scenarios'] },
  { name: 'ui', dirs: ['src/lib/ui'] },
  { name: 'viz', dirs: ['src/lib/viz'] },
  { name: 'live', dirs: ['src/lib/live'] },
  { name: 'machines', dirs: ['src/lib/machines'] },
  { name: 'trace', dirs: ['src/lib/trace'] },
  { name: 'protocol', dirs: ['src/lib/protocol'] },
  { name: 'i18n', dirs: ['src/lib/i18n'] },
];

/** What the server may import from the page's code. */
const SERVER_MAY_USE = new Set(['protocol', 'trace', 'i18n']);

function layerOf(root, file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel === 'server' || rel.startsWith('server/')) return { name: 'server', rank: -1 };
  const index = LAYERS.findIndex((layer) =>
    layer.dirs.some((dir) => rel === dir || rel.startsWith(`${dir}/`)),
  );
  return index < 0 ? undefined : { name: LAYERS[index].name, rank: LAYERS.length - index };
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports point down the layers (pages → … → protocol → i18n), never up' },
    schema: [],
    messages: {
      up: '{{from}} may not import from {{to}}, a layer above it: move the shared code down, or pass it in',
      server: 'the server may use protocol, trace and i18n only, not {{to}}',
      page: 'the page never imports the demo server',
    },
  },
  create(context) {
    const root = context.cwd;
    const from = layerOf(root, context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = layerOf(root, path.resolve(path.dirname(context.filename), source));
      if (!to || to.name === from.name) return;
      if (from.name === 'server') {
        if (!SERVER_MAY_USE.has(to.name))
          context.report({ node, messageId: 'server', data: { to: to.name } });
      } else if (to.name === 'server') context.report({ node, messageId: 'page' });
      else if (to.rank > from.rank)
        context.report({ node, messageId: 'up', data: { from: from.name, to: to.name } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
