// A server component that renders the client component: the page is prerendered by
// `next build` (the hook's server snapshot, idle) and hydrated in the browser.
import Answer from './answer.js';

export default function Page() {
  return (
    <main>
      <h1>sse-wasm · Next.js</h1>
      <Answer />
    </main>
  );
}
