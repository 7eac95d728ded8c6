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
