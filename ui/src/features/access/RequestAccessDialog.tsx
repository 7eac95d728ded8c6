import { useState } from "react";

import * as api from "../../api";
import type { AccessRequest } from "../../bindings/AccessRequest";
import { Alert } from "../../components/Alert";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextAreaField, TextField } from "../../components/Field";
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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    // The reason is what the lead decides on: required here so an empty ask never goes out.
    if (!reason.trim()) {
      setError("Enter a reason: it is what the lead decides on.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSent(await api.requestAccess(scopeKey(scope), reason.trim(), duration.trim() || null));
    } catch (e) {
      setError(api.errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      label="Request access"
      description={
        <>
          To <strong>{scopeKey(scope)}</strong>. The owner or a lead of {scope.project} decides.
        </>
      }
      size="sm"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Send request
          </Button>
        </>
      }
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
      <Alert message={error} />
    </Dialog>
  );
}
