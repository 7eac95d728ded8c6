import { useEffect, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";

import { IconButton } from "./Button";
import "./Dialog.css";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// Nested dialogs (a confirm over a form) share one inert background.
let openDialogs = 0;

function setBackgroundInert(inert: boolean) {
  const root = document.getElementById("root");
  if (!root) return;
  if (inert) root.setAttribute("inert", "");
  else root.removeAttribute("inert");
}

export interface DialogProps {
  /** The accessible name (tests find dialogs by it) and, unless `title` says otherwise, the heading. */
  label: string;
  title?: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  /** With onSubmit the body is a <form>, so Enter in a field submits. */
  onSubmit?: () => void;
  footer?: ReactNode;
  size?: "sm" | "md" | "lg";
  className?: string;
  /** false: no title bar (the search palette); the label still names the dialog. */
  header?: boolean;
}

/**
 * A modal: rendered outside #root (which turns inert meanwhile), focus moves in and is trapped,
 * Escape or the backdrop closes, and focus returns to where it was.
 */
export function Dialog({ label, title, description, onClose, children, onSubmit, footer, size = "md", className, header = true }: DialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    openDialogs += 1;
    setBackgroundInert(true);
    const node = panel.current;
    if (node && !node.contains(document.activeElement)) {
      const first =
        node.querySelector<HTMLElement>("[data-autofocus]") ??
        node.querySelector<HTMLElement>("input:not([disabled]), select:not([disabled]), textarea:not([disabled])") ??
        node.querySelector<HTMLElement>(FOCUSABLE);
      first?.focus();
    }
    return () => {
      openDialogs -= 1;
      if (openDialogs === 0) setBackgroundInert(false);
      if (previous && document.contains(previous)) previous.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      event.preventDefault();
      onCloseRef.current();
      return;
    }
    if (event.key !== "Tab" || !panel.current) return;
    const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit?.();
  };

  const body = (
    <>
      <div className="dialog-body">{children}</div>
      {footer ? <div className="dialog-footer">{footer}</div> : null}
    </>
  );

  return createPortal(
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        className={["dialog", `dialog-${size}`, className ?? ""].filter(Boolean).join(" ")}
        onKeyDown={onKeyDown}
      >
        {header ? (
          <div className="dialog-header">
            <div>
              <h2 className="dialog-title">{title ?? label}</h2>
              {description ? <p className="dialog-description">{description}</p> : null}
            </div>
            <IconButton icon="close" label="Close" size="sm" onClick={() => onCloseRef.current()} />
          </div>
        ) : null}
        {onSubmit ? (
          <form className="dialog-form" onSubmit={submit} noValidate>
            {body}
          </form>
        ) : (
          body
        )}
      </div>
    </div>,
    document.body,
  );
}
