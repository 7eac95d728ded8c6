/**
 * For a dialog's list effect, run when the list is read again: if a row the user acted on has
 * gone (removed was set) and taken the focus with it (the focus fell to the body), moves it on to
 * the first tableButton in table, else the first button in section, else the dialog's first
 * button. Does nothing while the focus is still somewhere, so it waits for the row to go.
 */
export function refocusAfterRemoval(
  removed: { current: boolean },
  table: HTMLElement | null,
  tableButton: string,
  section: HTMLElement | null,
): void {
  if (!removed.current) return;
  const active = document.activeElement;
  if (active && active !== document.body) return;
  removed.current = false;
  const next =
    table?.querySelector<HTMLElement>(tableButton) ??
    section?.querySelector<HTMLElement>("button") ??
    table?.closest<HTMLElement>('[role="dialog"]')?.querySelector<HTMLElement>("button");
  next?.focus();
}
