// The root layout the App Router requires; no fonts or other downloads.
export const metadata = { title: 'sse-wasm · Next.js' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
