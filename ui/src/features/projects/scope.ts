/** A project × environment: what the list shows and what new secrets go into. */
export interface Scope {
  project: string;
  environment: string;
}

export const scopeKey = (scope: Scope) => `${scope.project}/${scope.environment}`;

export const sameScope = (a: Scope | null, b: Scope | null) =>
  a !== null && b !== null && a.project === b.project && a.environment === b.environment;

/** "dev, prod ,staging" → ["dev", "prod", "staging"], without blanks or repeats. */
export function parseEnvironments(text: string): string[] {
  return [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))];
}
