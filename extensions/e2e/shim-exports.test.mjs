// The preview's shim (preview/ui-shim.tsx) must export every runtime value of
// '@hubspot/ui-extensions' and '@hubspot/ui-extensions/crm' (components,
// hooks, hubspot, logger…), so any card source builds in the preview. The
// names are read from the installed package's type declarations.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXTENSIONS } from './harness.mjs';

const dist = path.join(EXTENSIONS, 'node_modules', '@hubspot', 'ui-extensions', 'dist');

/** Names in `export { A, B as C } from '…'` lists (value exports only). */
function valueExports(file) {
  const src = readFileSync(path.join(dist, file), 'utf8');
  const names = new Set();
  for (const m of src.matchAll(/export\s+(?!type\b)\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop();
      if (name && !name.startsWith('type ')) names.add(name);
    }
  }
  return names;
}

const shim = readFileSync(path.join(EXTENSIONS, 'preview', 'ui-shim.tsx'), 'utf8');
const shimExports = new Set([
  ...[...shim.matchAll(/^export\s+(?:async\s+)?(?:function|const|class|enum)\s+(\w+)/gm)].map((m) => m[1]),
  ...[...shim.matchAll(/^export\s+\{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop())),
]);

for (const entry of ['index.d.ts', 'crm/index.d.ts']) {
  const name = entry === 'index.d.ts' ? '@hubspot/ui-extensions' : '@hubspot/ui-extensions/crm';
  test(`the preview shim exports every value of ${name}`, () => {
    const wanted = valueExports(entry);
    assert.ok(wanted.size > 10, `read the export list of ${entry}`);
    const missing = [...wanted].filter((n) => !shimExports.has(n));
    assert.deepEqual(missing, [], `missing from preview/ui-shim.tsx`);
  });
}
