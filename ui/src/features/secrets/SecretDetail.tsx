import { useEffect, useState, type ReactNode } from "react";

import * as api from "../../api";
import type { KindInfo } from "../../bindings/KindInfo";
import type { SecretSummary } from "../../bindings/SecretSummary";
import { Callout } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { DueBadge } from "../../components/DueBadge";
import { KindIcon } from "../../components/KindIcon";
import { useToast } from "../../components/Toast";
import { REVEAL_HIDE_MS } from "../../config";
import { formatDate, formatDateTime, formatInterval, nowSecs, relativeDays } from "../../lib/time";
import { RotateDialog } from "../rotation/RotateDialog";
import { DeleteSecretDialog } from "./DeleteSecretDialog";
import { EditSecretDialog } from "./EditSecretDialog";
import { HistoryTable } from "./HistoryTable";
import { useReveal } from "./useReveal";

const MASK = "••••••••••••";

export const SNIPPET_TOAST = "Notebook snippet copied. It fetches the key at run time; the key never lands in the notebook.";

interface SecretDetailProps {
  secret: SecretSummary;
  kindLabel: string;
  kinds: KindInfo[];
  /** After an edit: the list (and with it this secret's summary) should be read again. */
  onChanged: () => void;
  onDeleted: (name: string) => void;
  /** Changes (a new number) when another page asks to rotate this secret: opens the Rotate dialog. */
  rotateRequest?: number;
}

/** Mount with key={path}: switching secrets must drop a revealed value, a shown note and every panel. */
export function SecretDetail({ secret, kindLabel, kinds, onChanged, onDeleted, rotateRequest }: SecretDetailProps) {
  const path = api.secretPath(secret);
  const toast = useToast();
  const reveal = useReveal(path);
  const [copying, setCopying] = useState(false);
  const [snippet, setSnippet] = useState<string | null>(null);
  const [snippetBusy, setSnippetBusy] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(rotateRequest !== undefined);
  useEffect(() => {
    if (rotateRequest !== undefined) setRotating(true);
  }, [rotateRequest]);
  // The decrypted note while shown; `undefined` when hidden (null: the secret has none after all).
  const [noteText, setNoteText] = useState<string | null | undefined>(undefined);
  const [noteBusy, setNoteBusy] = useState(false);
  const now = nowSecs();

  const fail = (e: unknown) => toast.show(api.errorMessage(e), "error");

  const copy = async () => {
    setCopying(true);
    try {
      // Rust writes the clipboard and clears it later; the value never comes here.
      const { clears_in_secs } = await api.copySecret(path);
      toast.show(`Copied. The clipboard clears in ${clears_in_secs} s.`);
    } catch (e) {
      fail(e);
    } finally {
      setCopying(false);
    }
  };

  const copyForNotebook = async () => {
    setSnippetBusy(true);
    try {
      const [text] = await Promise.all([api.notebookSnippet(path), api.copySnippet(path)]);
      setSnippet(text);
      toast.show(SNIPPET_TOAST);
    } catch (e) {
      fail(e);
    } finally {
      setSnippetBusy(false);
    }
  };

  const toggleNote = async () => {
    if (noteText !== undefined) return setNoteText(undefined);
    setNoteBusy(true);
    try {
      setNoteText(await api.secretNote(path));
    } catch (e) {
      fail(e);
    } finally {
      setNoteBusy(false);
    }
  };

  const toggleReveal = () => {
    if (reveal.value !== null) reveal.hide();
    else reveal.reveal().catch(fail);
  };

  return (
    <section aria-label="Secret detail" className="detail">
      <header className="detail-header">
        <KindIcon kind={secret.kind} />
        <div className="detail-title">
          <h2>{secret.name}</h2>
          <p className="detail-path mono">{path}</p>
        </div>
        <DueBadge dueAt={secret.due_at} now={now} />
      </header>

      {/* Someone who read it lost access: only a new key at the provider undoes that. */}
      {secret.exposed_at !== null ? (
        <Callout tone="danger">
          {secret.exposed_reason ? `Exposed: ${secret.exposed_reason}.` : "Exposed."} Rotate it at the provider.
        </Callout>
      ) : null}

      <div className="value-block">
        <div className="value-heading">
          <span className="value-label">Value</span>
          <span className="value-timer" aria-live="off">
            {reveal.value !== null
              ? `Hides in ${reveal.secondsLeft} s`
              : `Hidden. Reveal shows it for ${REVEAL_HIDE_MS / 1000} s.`}
          </span>
        </div>
        <div
          role="textbox"
          aria-readonly="true"
          aria-label="Secret value"
          tabIndex={0}
          className={`value${reveal.value !== null ? " revealed" : ""}`}
        >
          {reveal.value ?? MASK}
        </div>
        <div className="value-actions">
          <Button
            variant="secondary"
            icon={reveal.value !== null ? "eyeOff" : "eye"}
            busy={reveal.busy}
            onClick={toggleReveal}
          >
            {reveal.value !== null ? "Hide" : "Reveal"}
          </Button>
          <Button variant="primary" icon="copy" busy={copying} onClick={() => void copy()}>
            Copy
          </Button>
          <Button variant="secondary" icon="notebook" busy={snippetBusy} onClick={() => void copyForNotebook()}>
            Copy for notebook
          </Button>
        </div>
      </div>

      {snippet !== null ? (
        <figure className="snippet">
          <figcaption>Paste this in a notebook cell. It asks Keyshelf for the key when the cell runs.</figcaption>
          <pre aria-label="Notebook snippet">{snippet}</pre>
        </figure>
      ) : null}

      <dl className="facts">
        <Fact term="Kind">{kindLabel}</Fact>
        <Fact term="Version">{secret.version === null ? "–" : `v${secret.version}`}</Fact>
        <Fact term="Rotation">{formatInterval(secret.rotate_every_secs)}</Fact>
        <Fact term="Next rotation">
          {secret.due_at === null ? (
            <span className="muted">Not scheduled</span>
          ) : (
            <>
              {formatDate(secret.due_at)} <span className="muted">({relativeDays(secret.due_at, now)})</span>
            </>
          )}
        </Fact>
        <Fact term="Last rotated">{formatDate(secret.last_rotated_at)}</Fact>
        {secret.pending_version !== null ? (
          <Fact term="Staged">
            <Badge tone="accent">{`v${secret.pending_version} pending`}</Badge>
          </Fact>
        ) : null}
        {secret.previous_until !== null && secret.previous_until > now ? (
          <Fact term="Previous value">{`Readable until ${formatDateTime(secret.previous_until)}`}</Fact>
        ) : null}
        <Fact term="Updated">{formatDateTime(secret.updated_at)}</Fact>
        <Fact term="Note">
          {secret.has_note ? (
            <span className="fact-note">
              <Badge tone="accent">Attached, encrypted</Badge>
              <Button
                variant="ghost"
                size="sm"
                icon={noteText !== undefined ? "eyeOff" : "eye"}
                busy={noteBusy}
                onClick={() => void toggleNote()}
              >
                {noteText !== undefined ? "Hide note" : "Show note"}
              </Button>
            </span>
          ) : (
            <span className="muted">None</span>
          )}
        </Fact>
        {secret.is_file ? <Fact term="File">{secret.file_name ?? "yes"}</Fact> : null}
      </dl>

      {noteText !== undefined ? (
        <p role="note" aria-label="Note text" className="note-text">
          {noteText ?? <span className="muted">No note.</span>}
        </p>
      ) : null}

      <div className="detail-actions">
        <Button variant="ghost" icon="rotate" aria-haspopup="dialog" onClick={() => setRotating(true)}>
          Rotate
        </Button>
        <Button variant="ghost" icon="edit" onClick={() => setEditing(true)}>
          Edit
        </Button>
        <Button variant="ghost" icon="history" aria-expanded={historyOpen} onClick={() => setHistoryOpen((open) => !open)}>
          History
        </Button>
        <Button variant="ghost" icon="trash" className="btn-danger-text" onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      </div>

      {/* Keyed by version: a new version from Edit reloads an open history. */}
      {historyOpen ? <HistoryTable key={secret.version} path={path} /> : null}

      {editing ? (
        <EditSecretDialog
          secret={secret}
          kinds={kinds}
          kindLabel={kindLabel}
          onClose={() => setEditing(false)}
          onSaved={(newVersion) => {
            setEditing(false);
            // What is on screen may be out of date now: hide it rather than show it stale.
            setNoteText(undefined);
            reveal.hide();
            toast.show(newVersion ? "Saved as a new version." : "Saved.");
            onChanged();
          }}
        />
      ) : null}

      {rotating ? (
        <RotateDialog
          secret={secret}
          kind={kinds.find((k) => k.kind === secret.kind) ?? null}
          kindLabel={kindLabel}
          now={now}
          onClose={() => setRotating(false)}
          onChanged={() => {
            // A promotion or rollback changes the value: hide what may be on screen.
            reveal.hide();
            onChanged();
          }}
        />
      ) : null}

      {confirmDelete ? (
        <DeleteSecretDialog
          path={path}
          onClose={() => setConfirmDelete(false)}
          onDeleted={() => {
            toast.show(`Deleted ${path}.`);
            onDeleted(secret.name);
          }}
        />
      ) : null}
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
