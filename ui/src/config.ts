// Every timing the UI enforces, in one place, so a review (or a test) finds them at once.

/** Lock after this long without keyboard or mouse activity. */
export const IDLE_LOCK_MS = 10 * 60 * 1000;

/** A revealed value hides itself after this long. */
export const REVEAL_HIDE_MS = 20 * 1000;

/** A secret whose rotation is due within this many days gets a "due soon" badge. */
export const DUE_SOON_DAYS = 14;

/** Search waits this long after the last keystroke before asking the vault. */
export const SEARCH_DEBOUNCE_MS = 100;

/** How long a toast stays on screen. */
export const TOAST_MS = 6000;
