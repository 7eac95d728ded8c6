// What the fake's feature modules share: the command shape, a stored secret, Rust's errors and
// its duration syntax.

import type { CommandError } from "../../bindings/CommandError";
import type { ErrorCode } from "../../bindings/ErrorCode";
import type { SecretSummary } from "../../bindings/SecretSummary";
import type { FakeVault } from "./vault";

export const DAY = 86_400;

export type Args = Record<string, unknown>;

/** One command's handler: it rejects by throwing a CommandError, as the IPC does. */
export type Command = (vault: FakeVault, args: Args) => unknown;

export interface Stored {
  summary: SecretSummary;
  values: string[];
  note: string | null;
  /** A staged rotation (Rust's pending version) and its check outcome. */
  pending?: { value: string; version: number; check: "passed" | "failed" | null };
  /** The value a promotion replaced, readable until summary.previous_until. */
  previous?: { value: string; version: number };
}

export function fail(code: ErrorCode, message: string): CommandError {
  return { code, message };
}

/** An access duration: null (empty) is until revoked, else seconds. */
export function parseDuration(text: string | null): number | null {
  const seconds = parseRotation(text);
  if (seconds === undefined) return null;
  if (seconds === null) throw fail("invalid", `invalid duration "${text ?? ""}": use a number and a unit, e.g. 8h, 7d`);
  return seconds;
}

/** undefined keeps the interval, null is manual rotation, else seconds (Rust's units). */
export function parseRotation(text: string | null): number | null | undefined {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return undefined;
  if (trimmed === "manual" || trimmed === "never") return null;
  const match = /^(\d+)([smhdw])$/.exec(trimmed);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };
  if (!match || Number(match[1]) === 0) {
    throw fail("invalid", `invalid duration "${trimmed}": use a number and a unit, e.g. 30s, 15m, 24h, 7d, 12w`);
  }
  return Number(match[1]) * (units[match[2] ?? ""] ?? 1);
}
