// A fresh Vite + React + TypeScript app made of the README's two React examples,
// copied in verbatim by the install test (Chat.tsx, Conversation.tsx).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Chat } from './Chat';
import { Conversation } from './Conversation';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <section id="chat"><Chat /></section>
    <section id="conversation"><Conversation sessionId="install-test" /></section>
  </StrictMode>,
);
