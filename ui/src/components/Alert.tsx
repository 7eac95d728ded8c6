import type { ReactNode } from "react";

import "./Alert.css";

/**
 * The one place errors appear in a form. The slot keeps its height when empty so a message
 * arriving does not push the buttons down; role="alert" is only present with a message.
 */
export function Alert({ message, id }: { message: string | null; id?: string }) {
  return (
    <div className="alert-slot">
      {message ? (
        <p className="alert" role="alert" id={id}>
          {message}
        </p>
      ) : null}
    </div>
  );
}

/** A quiet one-line note (e.g. a keychain problem): informative, not an error. */
export function Note({ children }: { children: string }) {
  return (
    <p className="note" title={children}>
      {children}
    </p>
  );
}

/**
 * A standing warning inside a pane or row (an exposed secret, a failed check): styled like an
 * alert but not announced, since it is part of what is shown rather than news.
 */
export function Callout({ tone = "warning", children }: { tone?: "warning" | "danger"; children: ReactNode }) {
  return <p className={`callout callout-${tone}`}>{children}</p>;
}
