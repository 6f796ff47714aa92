import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CoreAnswer, HookAnswer } from './answers.js';

function App() {
  return (
    <main>
      <h1>sse-wasm · Vite + React</h1>
      <CoreAnswer api="/api/stream?client=vite-core" />
      <HookAnswer api="/api/stream?client=vite-hook" />
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
