import { dueState } from "../lib/time";
import { Badge } from "./Badge";

/** "overdue" / "due soon" next to a secret; nothing when rotation is far off or manual. */
export function DueBadge({ dueAt, now }: { dueAt: number | null; now: number }) {
  const state = dueState(dueAt, now);
  if (state === "overdue") return <Badge tone="danger">overdue</Badge>;
  if (state === "due-soon") return <Badge tone="warning">due soon</Badge>;
  return null;
}
