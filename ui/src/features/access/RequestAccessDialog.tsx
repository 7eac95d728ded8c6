import { useState } from "react";

import * as api from "../../api";
import type { AccessRequest } from "../../bindings/AccessRequest";
import { TextAreaField, TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";
import { scopeKey, type Scope } from "../projects/scope";

const DURATION_HINT = "Like 8h or 7d. Empty: until revoked.";

export function RequestAccessDialog({
  scope,
  onClose,
  onSent,
}: {
  scope: Scope;
  onClose: () => void;
  onSent: (request: AccessRequest) => void;
}) {
  const [reason, setReason] = useState("");
  const [duration, setDuration] = useState("");
  const { busy, error, setError, submit } = useSubmit();

  const send = () => {
    if (busy) return;
    // The reason is what the lead decides on: required here so an empty ask never goes out.
    if (!reason.trim()) return setError("Enter a reason: it is what the lead decides on.");
    void submit(async () => onSent(await api.requestAccess(scopeKey(scope), reason.trim(), duration.trim() || null)));
  };

  return (
    <FormDialog
      label="Request access"
      description={
        <>
          To <strong>{scopeKey(scope)}</strong>. The owner or a lead of {scope.project} decides.
        </>
      }
      size="sm"
      onClose={onClose}
      onSubmit={send}
      submitLabel="Send request"
      busy={busy}
      error={error}
    >
      <TextAreaField
        label="Reason"
        value={reason}
        required
        onChange={(e) => {
          setReason(e.target.value);
          setError(null);
        }}
        placeholder="Running the nightly eval against prod"
      />
      <TextField
        label="Duration"
        value={duration}
        onChange={(e) => setDuration(e.target.value)}
        placeholder="until revoked"
        hint={DURATION_HINT}
        mono
      />
    </FormDialog>
  );
}
