import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

import * as api from "../../api";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { Dialog } from "../../components/Dialog";
import { DueBadge } from "../../components/DueBadge";
import { Icon } from "../../components/Icon";
import { KindIcon } from "../../components/KindIcon";
import { SEARCH_DEBOUNCE_MS } from "../../config";
import { nowSecs } from "../../lib/time";
import "./search.css";

interface Results {
  query: string;
  items: SecretSummary[];
}

/**
 * The Ctrl/Cmd+K palette: names across every project, never values. Up/Down move, Enter opens
 * the secret in its environment, Escape closes.
 */
export function SearchDialog({ onClose, onChoose }: { onClose: () => void; onChoose: (secret: SecretSummary) => void }) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<Results | null>(null);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef("");
  const listId = useId();
  const inputId = useId();
  const trimmed = query.trim();

  const search = useCallback(async (text: string): Promise<SecretSummary[] | null> => {
    latest.current = text;
    try {
      const items = await api.searchSecrets(text);
      if (latest.current !== text) return null; // a newer keystroke won
      setResults({ query: text, items });
      setActive(0);
      setError(null);
      return items;
    } catch (e) {
      if (latest.current === text) setError(api.errorMessage(e));
      return null;
    }
  }, []);

  useEffect(() => {
    latest.current = trimmed;
    if (!trimmed) {
      setResults(null);
      return;
    }
    const timer = setTimeout(() => void search(trimmed), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [trimmed, search]);

  const current = results !== null && results.query === trimmed ? results.items : null;
  const shown = results?.items ?? [];

  const onKeyDown = async (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (shown.length === 0) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + shown.length) % shown.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!trimmed) return;
      // Enter before the debounce fired: search now, so Enter always acts on what was typed.
      const items = current ?? (await search(trimmed));
      const chosen = items?.[current ? active : 0];
      if (chosen) onChoose(chosen);
    }
  };

  const now = nowSecs();
  const activeId = shown.length > 0 ? `${listId}-${active}` : undefined;

  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: "nearest" });
  }, [activeId]);

  return (
    <Dialog label="Search secrets" header={false} size="lg" onClose={onClose} className="search-dialog">
      <div className="search-bar">
        <label htmlFor={inputId} className="search-label">
          <Icon name="search" />
          Search
        </label>
        <input
          id={inputId}
          className="search-input"
          type="text"
          role="combobox"
          aria-label="Search"
          aria-autocomplete="list"
          aria-expanded={shown.length > 0}
          aria-controls={listId}
          aria-activedescendant={activeId}
          placeholder="Secret name, project or environment"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => void onKeyDown(e)}
        />
        <kbd className="search-esc">Esc</kbd>
      </div>
      <ul role="listbox" id={listId} aria-label="Search results" className="search-results">
        {shown.map((secret, index) => {
          const path = api.secretPath(secret);
          return (
            <li
              key={path}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              aria-label={path}
              className={`search-option${index === active ? " active" : ""}`}
              // mousedown would blur the input; keep focus where typing happens
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => index !== active && setActive(index)}
              onClick={() => onChoose(secret)}
            >
              <KindIcon kind={secret.kind} size="sm" />
              <span className="search-option-name">{secret.name}</span>
              <span className="search-option-scope">
                {secret.project} / {secret.environment}
              </span>
              <DueBadge dueAt={secret.due_at} now={now} />
            </li>
          );
        })}
      </ul>
      <p className="search-status" aria-live="polite">
        {error ??
          (!trimmed
            ? "Type to search secret names across all projects."
            : results === null
              ? "Searching…"
              : results.items.length === 0
                ? `No secrets match “${results.query}”.`
                : `${results.items.length} ${results.items.length === 1 ? "secret" : "secrets"} · ↑↓ to move, Enter to open`)}
      </p>
    </Dialog>
  );
}
