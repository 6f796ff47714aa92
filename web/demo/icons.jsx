// Inline SVG icons (stroke icons, 24x24 grid), sized by CSS.
const base = {
  viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 2,
  strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false,
};

export const Logo = () => (
  <svg viewBox="0 0 32 32" aria-hidden="true" className="logo">
    <rect width="32" height="32" rx="9" fill="var(--accent)" />
    <path d="M8 17c3-6.5 5 6.5 8 0s5-6.5 8 0" stroke="#fff" strokeWidth="2.6" fill="none" strokeLinecap="round" />
  </svg>
);
export const SendIcon = () => <svg {...base}><path d="M12 19V5" /><path d="m5 12 7-7 7 7" /></svg>;
export const StopIcon = () => <svg {...base}><rect x="7" y="7" width="10" height="10" rx="2" fill="currentColor" /></svg>;
export const RetryIcon = () => <svg {...base}><path d="M3 12a9 9 0 1 0 3-6.7" /><path d="M3 4v5h5" /></svg>;
export const AlertIcon = () => <svg {...base}><path d="M12 9v4" /><path d="M12 17h.01" /><path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" /></svg>;
export const WifiOffIcon = () => <svg {...base}><path d="M2 2l20 20" /><path d="M8.5 16.5a5 5 0 0 1 7 0" /><path d="M2 8.8a15 15 0 0 1 4.2-2.6" /><path d="M10.7 5.1A15 15 0 0 1 22 8.8" /><path d="M5 12.9a10 10 0 0 1 5.2-2.7" /><path d="M16.9 11.2a10 10 0 0 1 2.1 1.7" /><path d="M12 20h.01" /></svg>;
export const ToolIcon = () => <svg {...base}><path d="M14.7 6.3a4 4 0 0 0 5 5L22 13.6 13.6 22l-2.3-2.3a4 4 0 0 0-5-5L2 10.4 10.4 2Z" transform="scale(.9) translate(1.3 1.3)" /></svg>;
export const CheckIcon = () => <svg {...base}><path d="M20 6 9 17l-5-5" /></svg>;
export const XIcon = () => <svg {...base}><path d="M18 6 6 18" /><path d="m6 6 12 12" /></svg>;
export const BrainIcon = () => <svg {...base}><path d="M9 3a3 3 0 0 0-3 3 3 3 0 0 0-2 5 3 3 0 0 0 2 5 3 3 0 0 0 6 2V5a2 2 0 0 0-3-2Z" /><path d="M15 3a3 3 0 0 1 3 3 3 3 0 0 1 2 5 3 3 0 0 1-2 5 3 3 0 0 1-6 2" /></svg>;
export const ChevronIcon = () => <svg {...base}><path d="m9 6 6 6-6 6" /></svg>;
export const PlusIcon = () => <svg {...base}><path d="M12 5v14" /><path d="M5 12h14" /></svg>;
export const SlidersIcon = () => <svg {...base}><path d="M4 21v-7" /><path d="M4 10V3" /><path d="M12 21v-9" /><path d="M12 8V3" /><path d="M20 21v-5" /><path d="M20 12V3" /><path d="M1 14h6" /><path d="M9 8h6" /><path d="M17 16h6" /></svg>;
export const BoltIcon = () => <svg {...base}><path d="M13 2 3 14h9l-1 8 10-12h-9l1-8Z" /></svg>;
export const SearchIcon = () => <svg {...base}><circle cx="11" cy="11" r="7" /><path d="m20 20-3.5-3.5" /></svg>;
export const CloudIcon = () => <svg {...base}><path d="M17.5 19H7a5 5 0 1 1 1.1-9.9A6 6 0 0 1 19.6 11 4 4 0 0 1 17.5 19Z" /></svg>;
export const SunIcon = () => <svg {...base}><circle cx="12" cy="12" r="4" /><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /></svg>;
export const RainIcon = () => <svg {...base}><path d="M16 13V21M8 13v8M12 15v8" /><path d="M20 16.6A5 5 0 0 0 18 7h-1.3A8 8 0 1 0 4 15.3" /></svg>;
