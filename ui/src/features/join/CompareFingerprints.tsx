import type { JoinedVault } from "../../bindings/JoinedVault";
import { Button } from "../../components/Button";
import { AuthLayout } from "../unlock/AuthLayout";
import "./join.css";

/**
 * After joining: the two fingerprints to compare with the owner out of band. A match means the
 * vault file was not swapped and the owner admits this very key.
 */
export function CompareFingerprints({ joined, onContinue }: { joined: JoinedVault; onContinue: () => void }) {
  return (
    <AuthLayout
      title="Compare fingerprints"
      subtitle={`Read both to ${joined.owner_name} over a channel you trust: in person, or a call where you know the voice.`}
    >
      <div className="auth-form">
        <dl className="fingerprints">
          <div>
            <dt>Your fingerprint</dt>
            <dd>
              <code className="fingerprint" aria-label="Your fingerprint">
                {joined.fingerprint}
              </code>
            </dd>
          </div>
          <div>
            <dt>{joined.owner_name}'s fingerprint</dt>
            <dd>
              <code className="fingerprint" aria-label="Owner fingerprint">
                {joined.owner_fingerprint}
              </code>
            </dd>
          </div>
        </dl>
        <p className="auth-footnote">
          If either differs, stop and tell {joined.owner_name}. If both match, an owner or a lead must still admit you;
          until then and until access is granted, every environment shows locked.
        </p>
        <Button variant="primary" size="lg" onClick={onContinue}>
          Continue
        </Button>
      </div>
    </AuthLayout>
  );
}
