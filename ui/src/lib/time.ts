import { DUE_SOON_DAYS } from "../config";

const DAY = 86_400;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Unix seconds → "Nov 24, 2025" in the user's locale. */
export function formatDate(unixSecs: number): string {
  return dateFormat.format(new Date(unixSecs * 1000));
}

export function formatDateTime(unixSecs: number): string {
  return dateTimeFormat.format(new Date(unixSecs * 1000));
}

export type DueState = "overdue" | "due-soon" | "ok" | "manual";

export function dueState(dueAt: number | null, nowSecs: number): DueState {
  if (dueAt === null) return "manual";
  if (dueAt < nowSecs) return "overdue";
  if (dueAt - nowSecs <= DUE_SOON_DAYS * DAY) return "due-soon";
  return "ok";
}

/** A rotation interval in words: "every 90 days", "every 12 hours", "manual". */
export function formatInterval(secs: number | null): string {
  if (secs === null) return "Manual";
  const units: Array<[number, string]> = [
    [7 * DAY, "week"],
    [DAY, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  // Prefer days over weeks for the common 30/90-day rotations: people think in days there.
  if (secs % DAY === 0) {
    const days = secs / DAY;
    if (days % 7 !== 0 || days < 28) return `Every ${plural(days, "day")}`;
  }
  for (const [size, name] of units) {
    if (secs % size === 0) return `Every ${plural(secs / size, name)}`;
  }
  return `Every ${plural(secs, "second")}`;
}

/** An interval as the "Rotate every" field takes it: "90d", "12h", "manual" (days before weeks, as above). */
export function rotationInput(secs: number | null): string {
  if (secs === null) return "manual";
  const units: Array<[number, string]> = [
    [DAY, "d"],
    [3600, "h"],
    [60, "m"],
  ];
  for (const [size, unit] of units) {
    if (secs % size === 0) return `${secs / size}${unit}`;
  }
  return `${secs}s`;
}

/** "in 3 days", "2 days ago", "today". */
export function relativeDays(unixSecs: number, nowSecs: number): string {
  const days = Math.round((unixSecs - nowSecs) / DAY);
  if (days === 0) return "today";
  return days > 0 ? `in ${plural(days, "day")}` : `${plural(-days, "day")} ago`;
}

function plural(n: number, unit: string): string {
  return n === 1 ? `1 ${unit}` : `${n} ${unit}s`;
}

export const nowSecs = () => Math.floor(Date.now() / 1000);
