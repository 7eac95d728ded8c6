import type { ReactNode } from "react";

import { Icon } from "../../components/Icon";
import "./unlock.css";

/** The centred card every pre-vault screen uses (first run, recovery key, unlock). */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="auth-brand" aria-hidden="true">
          <span className="auth-logo">
            <Icon name="key" size={18} />
          </span>
          Keyshelf
        </div>
        <h1 className="auth-title">{title}</h1>
        {subtitle ? <p className="auth-subtitle">{subtitle}</p> : null}
        {children}
      </div>
    </main>
  );
}

/** The form of a pre-vault screen: Enter in any field submits it. */
export function AuthForm({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      className="auth-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
