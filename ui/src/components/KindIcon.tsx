import type { SecretKind } from "../bindings/SecretKind";
import "./KindIcon.css";

// A small monogram per provider: recognisable at a glance in a long list, no logos to ship.
const MONOGRAM: Record<SecretKind, string> = {
  openai: "OA",
  anthropic: "An",
  "hugging-face": "HF",
  wandb: "WB",
  aws: "AWS",
  "gcp-service-account": "GCP",
  "database-url": "DB",
  generic: "•",
};

/** Fallback labels while secret_kinds() has not answered (or for a kind it does not list). */
export const KIND_LABEL: Record<SecretKind, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  "hugging-face": "Hugging Face",
  wandb: "Weights & Biases",
  aws: "AWS",
  "gcp-service-account": "GCP service account",
  "database-url": "Database URL",
  generic: "Generic",
};

export function KindIcon({ kind, size = "md" }: { kind: SecretKind; size?: "sm" | "md" }) {
  return (
    <span className={`kind-icon kind-icon-${size} kind-${kind}`} aria-hidden="true">
      {MONOGRAM[kind] ?? "•"}
    </span>
  );
}
