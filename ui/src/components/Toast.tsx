import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

import { isServerUnreachableMessage } from "../api";
import { TOAST_MS } from "../config";
import { IconButton } from "./Button";
import { Icon } from "./Icon";
import "./Toast.css";

type Tone = "success" | "error" | "info";

interface ToastItem {
  id: number;
  message: string;
  tone: Tone;
}

interface ToastApi {
  show: (message: string, tone?: Tone) => void;
  clear: () => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast outside ToastProvider");
  return api;
}

/** Toasts live outside #root so they stay visible and announced while a dialog makes #root inert. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback((message: string, tone: Tone = "success") => {
    // The team server being down is the banner's to say (ServerBanner), once and standing.
    if (tone === "error" && isServerUnreachableMessage(message)) return;
    const id = nextId.current++;
    // Newest on top; three at most so a burst of actions never covers the window.
    setToasts((all) => [{ id, message, tone }, ...all].slice(0, 3));
  }, []);
  const clear = useCallback(() => setToasts([]), []);
  const api = useMemo(() => ({ show, clear }), [show, clear]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      {createPortal(
        <div className="toast-region" aria-live="polite">
          {toasts.map((toast) => (
            <Toast key={toast.id} toast={toast} onDismiss={dismiss} />
          ))}
        </div>,
        document.body,
      )}
    </ToastContext.Provider>
  );
}

function Toast({ toast, onDismiss }: { toast: ToastItem; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, onDismiss]);
  return (
    <div className={`toast toast-${toast.tone}`}>
      <Icon name={toast.tone === "error" ? "close" : "check"} className="toast-icon" />
      <p role={toast.tone === "error" ? "alert" : "status"} className="toast-message">
        {toast.message}
      </p>
      <IconButton icon="close" label="Dismiss notification" size="sm" onClick={() => onDismiss(toast.id)} />
    </div>
  );
}
