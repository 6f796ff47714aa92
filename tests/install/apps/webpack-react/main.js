import { StrictMode, createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { CoreAnswer, HookAnswer } from './answers.js';

function App() {
  return h('main', null,
    h('h1', null, 'sse-wasm · webpack + React'),
    h(CoreAnswer, { api: '/api/stream?client=webpack-core' }),
    h(HookAnswer, { api: '/api/stream?client=webpack-hook' }));
}

createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));
