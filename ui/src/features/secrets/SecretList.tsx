import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type KeyboardEvent } from "react";

import type { SecretSummary } from "../../bindings/SecretSummary";
import { Badge } from "../../components/Badge";
import { DueBadge } from "../../components/DueBadge";
import { KindIcon } from "../../components/KindIcon";
import { formatDate, nowSecs } from "../../lib/time";
import "./secrets.css";

/** Fixed row height: no measuring, so 100k rows cost the same as 100 (matches --row-height). */
export const ROW_HEIGHT = 56;

interface SecretListProps {
  secrets: SecretSummary[];
  selectedName: string | null;
  onSelect: (name: string) => void;
  kindLabel: (kind: SecretSummary["kind"]) => string;
}

/**
 * The secrets of one environment, virtualised. Rows are buttons named by the secret; arrow
 * keys, Home/End and PageUp/PageDown move the selection (only one row is in the Tab order).
 */
export function SecretList({ secrets, selectedName, onSelect, kindLabel }: SecretListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: secrets.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // Render a first screenful before the scroll box is measured: no blank first frame.
    initialRect: { width: 0, height: 640 },
    getItemKey: (index) => secrets[index]?.name ?? index,
  });

  const selectedIndex = selectedName === null ? -1 : secrets.findIndex((s) => s.name === selectedName);

  // A selection made elsewhere (search, a new secret) scrolls into view.
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const rendered = new Set(items.map((item) => item.index));
  const tabbable = rendered.has(selectedIndex) ? selectedIndex : (items[0]?.index ?? -1);
  const now = nowSecs();

  const moveTo = (index: number) => {
    const target = Math.max(0, Math.min(secrets.length - 1, index));
    const secret = secrets[target];
    if (!secret) return;
    onSelect(secret.name);
    virtualizer.scrollToIndex(target, { align: "auto" });
    // The row may only exist after the scroll renders it.
    requestAnimationFrame(() => {
      listRef.current?.querySelector<HTMLButtonElement>(`[data-index="${target}"] button`)?.focus();
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!row) return;
    const index = Number(row.dataset.index);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: secrets.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    moveTo(next);
  };

  return (
    <div className="secret-list-scroll" ref={scrollRef}>
      <div
        ref={listRef}
        role="list"
        aria-label="Secrets"
        className="secret-list"
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
      >
        {items.map((item) => {
          const secret = secrets[item.index];
          if (!secret) return null;
          const selected = item.index === selectedIndex;
          return (
            <div
              key={item.key}
              role="listitem"
              aria-setsize={secrets.length}
              aria-posinset={item.index + 1}
              data-index={item.index}
              className="secret-row-item"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <button
                type="button"
                className={`secret-row${selected ? " selected" : ""}`}
                aria-label={secret.name}
                aria-current={selected ? "true" : undefined}
                tabIndex={item.index === tabbable ? 0 : -1}
                onClick={() => onSelect(secret.name)}
              >
                <KindIcon kind={secret.kind} />
                <span className="secret-row-main">
                  <span className="secret-row-name">{secret.name}</span>
                  <span className="secret-row-meta">
                    {kindLabel(secret.kind)}
                    <span aria-hidden="true"> · </span>v{secret.version ?? "–"}
                    <span aria-hidden="true"> · </span>rotated {formatDate(secret.last_rotated_at)}
                  </span>
                </span>
                {secret.exposed_at !== null ? <Badge tone="danger">Exposed</Badge> : null}
                <DueBadge dueAt={secret.due_at} now={now} />
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}
