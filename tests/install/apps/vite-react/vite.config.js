// A plain Vite + React config: nothing for wasm. The dev server forwards /api to
// the test's SSE server (SSE_API_ORIGIN).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: process.env.SSE_API_ORIGIN ? { '/api': process.env.SSE_API_ORIGIN } : undefined,
  },
});
