// Inline stroke icons (no icon font: the CSP allows no remote fonts, and SVG scales cleanly).
// Decorative only: never a <title>, so a button's text stays exactly its label.

const PATHS = {
  lock: "M5 7V5a3 3 0 0 1 6 0v2 M3.5 7h9v6.5h-9z",
  unlock: "M5 7V5a3 3 0 0 1 5.8-1 M3.5 7h9v6.5h-9z",
  search: "M7 12A5 5 0 1 0 7 2a5 5 0 0 0 0 10z M10.5 10.5 14 14",
  plus: "M8 3v10 M3 8h10",
  eye: "M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  eyeOff:
    "M2 2l12 12 M6.6 3.7A6.5 6.5 0 0 1 8 3.5C12 3.5 14.5 8 14.5 8a12 12 0 0 1-1.9 2.4 M4.2 4.9A12 12 0 0 0 1.5 8S4 12.5 8 12.5a6.4 6.4 0 0 0 3-.7 M6.6 6.6a2 2 0 0 0 2.8 2.8",
  copy: "M5.5 5.5h8v8h-8z M10.5 5.5v-3h-8v8h3",
  notebook: "M3.5 2h8a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1h-8z M6 2v12 M8.5 5h2 M8.5 7.5h2",
  history: "M2.5 8a5.5 5.5 0 1 0 1.6-3.9 M2 2.5v2.5h2.5 M8 5v3l2 1.5",
  trash: "M2.5 4h11 M6 4V2.5h4V4 M4 4l.7 9.5h6.6L12 4 M6.7 6.5v4.5 M9.3 6.5v4.5",
  chevron: "M6 4l4 4-4 4",
  close: "M4 4l8 8 M12 4l-8 8",
  key: "M10 9.5a3.5 3.5 0 1 0-3.4-2.6L2 11.5V14h2.5v-1.5H6V11h1.5l1.2-1.2a3.5 3.5 0 0 0 1.3-.3z M11 5.5h.01",
  shield: "M8 1.5l5.5 2v4c0 3.5-2.4 5.8-5.5 7-3.1-1.2-5.5-3.5-5.5-7v-4z",
  check: "M3 8.5l3 3 7-7",
  file: "M4 1.5h5l3 3v10H4z M9 1.5v3h3",
  edit: "M10.5 2.5l3 3-8 8h-3v-3z M8.5 4.5l3 3",
  users:
    "M6 7.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z M1.5 13.5c0-2.5 2-4 4.5-4s4.5 1.5 4.5 4 M10.5 2.7a2.5 2.5 0 0 1 0 4.6 M12 9.7c1.5.5 2.5 1.8 2.5 3.8",
  inbox: "M2 9.5l1.8-6h8.4l1.8 6v4H2z M2 9.5h3.5l1 1.5h3l1-1.5H14",
  settings: "M2.5 4.5h6 M11.5 4.5h2 M10 3v3 M2.5 11.5h2 M7.5 11.5h6 M6 10v3",
  scan: "M7 14.5H3.5v-13h5l3 3v2 M8.5 1.5v3h3 M10.5 13a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z M12.3 12.3l2.2 2.2",
  rotate: "M13.5 8a5.5 5.5 0 1 1-1.7-4 M12.5 1.5v3h-3",
  server: "M2.5 2.5h11v4.5h-11z M2.5 9h11v4.5h-11z M5 4.75h.01 M5 11.25h.01",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : "icon"}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
