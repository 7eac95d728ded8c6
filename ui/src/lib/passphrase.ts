export type Strength = "weak" | "fair" | "strong";

export const MIN_PASSPHRASE = 8;

/**
 * A rough hint from length and character classes, not an entropy estimate: long word-based
 * passphrases ("correct horse battery staple") should read strong, short mixed ones fair.
 */
export function passphraseStrength(passphrase: string): Strength {
  const length = [...passphrase].length;
  if (length < MIN_PASSPHRASE) return "weak";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(passphrase)).length;
  const score = (length >= 12 ? 1 : 0) + (length >= 16 ? 1 : 0) + (classes >= 2 ? 1 : 0) + (classes >= 3 ? 1 : 0);
  if (score >= 3) return "strong";
  if (score >= 1) return "fair";
  return "weak";
}
