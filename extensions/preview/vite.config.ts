// The card's local preview: renders extensions/src/app/cards/IntegratedInvoices.tsx
// in a browser, with '@hubspot/ui-extensions' (and its subpaths) replaced by
// DOM components (ui-shim.tsx). Built by `npm run preview:build` into
// preview/dist, which `go run ./cmd/hubspot-quickbooks demo` serves at
// PREVIEW_URL together with the signing /hubspot-fetch stand-in.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const extensions = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  // No public dir and no env files: the preview is a plain static page.
  publicDir: false,
  envDir: false,
  esbuild: { jsx: 'automatic' },
  resolve: {
    // '@hubspot/ui-extensions', '@hubspot/ui-extensions/crm', … → the shim.
    alias: [{ find: /^@hubspot\/ui-extensions(\/.*)?$/, replacement: `${here}ui-shim.tsx` }],
    // The card and the shim must share one React.
    dedupe: ['react', 'react-dom'],
  },
  build: {
    outDir: `${here}dist`,
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  // `npx vite --config preview/vite.config.ts` serves the preview with live
  // reload; /hubspot-fetch goes to a running demo's preview server
  // (DEMO_PREVIEW_URL, default the demo's default PREVIEW_ADDR).
  server: {
    fs: { allow: [extensions] },
    proxy: { '/hubspot-fetch': process.env.DEMO_PREVIEW_URL || 'http://127.0.0.1:8090' },
  },
});
