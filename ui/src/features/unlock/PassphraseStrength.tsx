import { MIN_PASSPHRASE, passphraseStrength } from "../../lib/passphrase";

const LEVEL = { weak: 1, fair: 2, strong: 3 } as const;

/** Under the passphrase: a three-step meter and one word, announced politely as it changes. */
export function PassphraseStrength({ passphrase, id }: { passphrase: string; id?: string }) {
  const strength = passphraseStrength(passphrase);
  const empty = passphrase.length === 0;
  return (
    <div className="strength" id={id}>
      <div className={`strength-meter strength-${empty ? "none" : strength}`} aria-hidden="true">
        {[1, 2, 3].map((step) => (
          <span key={step} className={!empty && step <= LEVEL[strength] ? "on" : ""} />
        ))}
      </div>
      <p className="strength-text" aria-live="polite">
        {empty
          ? `At least ${MIN_PASSPHRASE} characters; a few unrelated words work well.`
          : `Strength: ${strength}${[...passphrase].length < MIN_PASSPHRASE ? ` (use at least ${MIN_PASSPHRASE} characters)` : ""}`}
      </p>
    </div>
  );
}
