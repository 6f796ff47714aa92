// A minimal webpack 5 config: no loaders, no wasm settings (users should need none).
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './main.js',
  output: {
    path: fileURLToPath(new URL('./dist/', import.meta.url)),
    filename: 'main.js',
    clean: true,
  },
};
