// Every timing and limit the UI enforces, in one place, so a review (or a test) finds them at once.

/**
 * Input is reported to Rust (which owns the idle lock) at most this often: pointermove fires
 * constantly, and the idle timeout is counted in minutes.
 */
export const ACTIVITY_REPORT_MS = 15 * 1000;

/** A revealed value hides itself after this long. */
export const REVEAL_HIDE_MS = 20 * 1000;

/** A secret whose rotation is due within this many days gets a "due soon" badge. */
export const DUE_SOON_DAYS = 14;

/** Search waits this long after the last keystroke before asking the vault. */
export const SEARCH_DEBOUNCE_MS = 100;

/** How long a toast stays on screen. */
export const TOAST_MS = 6000;

/** The largest file secret; Rust refuses bigger ones too, but only after the upload. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** How often the browser asks for pending access requests (and its own open scopes) while unlocked. */
export const ACCESS_POLL_MS = 60 * 1000;

/** The rotation dashboard lists what falls due within this many days ("due this month"). */
export const ROTATION_WINDOW_DAYS = 30;

/** "Due this week" on the rotation dashboard: a deadline within this many days. */
export const ROTATION_WEEK_DAYS = 7;

/** How long a promoted rotation keeps the old value readable, unless the user says otherwise. */
export const DEFAULT_OVERLAP = "24h";

/**
 * While the team server cannot be reached, the banner asks again after 2 s, then 4, 8, … (doubling)
 * up to this many seconds between tries.
 */
export const SERVER_RETRY_FIRST_S = 2;
export const SERVER_RETRY_MAX_S = 60;
