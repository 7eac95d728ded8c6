import { useState } from "react";

import * as api from "../../api";
import type { RosterEntry } from "../../bindings/RosterEntry";
import { SelectField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";

type AdmitRole = "member" | "lead";

/**
 * Admitting a pending member: the admitter compares the key fingerprint with the joiner out of
 * band (it proves the key being admitted is theirs), then picks a role. Only the owner admits
 * leads (Rust enforces it; a lead is offered "member" only).
 */
export function AdmitDialog({
  entry,
  mayAdmitLeads,
  projects,
  onClose,
  onAdmitted,
}: {
  entry: RosterEntry;
  /** The owner admits leads; a lead admits members only. */
  mayAdmitLeads: boolean;
  /** Project names, for "Lead of". */
  projects: string[];
  onClose: () => void;
  onAdmitted: (admitted: RosterEntry) => void;
}) {
  const [role, setRole] = useState<AdmitRole>("member");
  const [leadOf, setLeadOf] = useState(projects[0] ?? "");
  const { busy, error, setError, submit } = useSubmit();
  const offersLead = mayAdmitLeads && projects.length > 0;

  const admit = () => {
    if (busy) return;
    if (role === "lead" && !leadOf) return setError("Choose the project they lead.");
    void submit(async () =>
      onAdmitted(await api.admitMember(entry.name, role, role === "lead" ? [leadOf] : [], entry.fingerprint)),
    );
  };

  return (
    <FormDialog
      label={`Admit ${entry.name}`}
      size="sm"
      onClose={onClose}
      onSubmit={admit}
      submitLabel="Admit"
      busy={busy}
      error={error}
    >
      <p>
        Compare this fingerprint with {entry.name} out of band: in person, or on a call where you know the voice. It must
        match, character for character, the one their app showed when they joined. If it differs, someone else's key is
        waiting under their name: do not admit it.
      </p>
      <div className="admit-fingerprint">
        <span className="field-label" aria-hidden="true">
          {entry.name}'s fingerprint
        </span>
        <code className="mono" aria-label="Fingerprint">
          {entry.fingerprint}
        </code>
      </div>
      <SelectField
        label="Role"
        value={role}
        hint={mayAdmitLeads ? undefined : "Only the owner admits leads."}
        onChange={(e) => {
          setRole(e.target.value as AdmitRole);
          setError(null);
        }}
      >
        <option value="member">Member</option>
        {offersLead ? <option value="lead">Lead</option> : null}
      </SelectField>
      {role === "lead" ? (
        <SelectField label="Lead of" value={leadOf} onChange={(e) => setLeadOf(e.target.value)}>
          {projects.map((project) => (
            <option key={project} value={project}>
              {project}
            </option>
          ))}
        </SelectField>
      ) : null}
    </FormDialog>
  );
}
