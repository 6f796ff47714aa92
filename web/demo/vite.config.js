// Vite config of the demo page. `sse-wasm` and `sse-wasm/react` resolve to this
// repository's web/index.js and web/react.js; Vite finds dist/sse_core.wasm by the
// new URL(…, import.meta.url) in web/core.js, so no asset configuration is needed.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^sse-wasm\/react$/, replacement: here('../react.js') },
      { find: /^sse-wasm$/, replacement: here('../index.js') },
    ],
  },
  server: {
    fs: { allow: [here('../..')] }, // web/ and dist/ live above the demo root
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
