import { useId } from "react";

import { Button, IconButton } from "../components/Button";
import { Icon } from "../components/Icon";
import type { TeamAccess } from "../features/access/useTeamAccess";
import type { Rotation } from "../features/rotation/useRotation";
import type { OpenDialog } from "./DialogHost";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** The vault's name, search, and what opens a dialog (with the badges of what waits) or locks. */
export function TopBar({
  vaultName,
  member,
  team,
  rotation,
  onOpen,
  onLock,
}: {
  vaultName: string | null;
  member: string | null;
  team: TeamAccess;
  rotation: Rotation;
  onOpen: (dialog: OpenDialog) => void;
  onLock: () => void;
}) {
  const countId = useId();
  const rotationCountId = useId();
  // Verified ones only: a forged request is shown in the inbox but is not work to do.
  const pendingCount = team.inbox.filter((request) => request.verified).length;

  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-logo" aria-hidden="true">
          <Icon name="key" size={16} />
        </span>
        <div className="brand-text">
          <span className="brand-vault">{vaultName ?? "Keyshelf"}</span>
          {member ? <span className="brand-member">Signed in as {member}</span> : null}
        </div>
      </div>
      <button
        type="button"
        className="search-trigger"
        aria-keyshortcuts="Control+K Meta+K"
        data-shortcut={isMac ? "⌘K" : "Ctrl K"}
        onClick={() => onOpen({ type: "search" })}
      >
        <Icon name="search" />
        Search
      </button>
      <div className="topbar-actions">
        <Button
          variant="ghost"
          icon="rotate"
          aria-label="Rotation"
          title="Rotation"
          className="rotation-trigger"
          aria-describedby={rotation.urgent > 0 ? rotationCountId : undefined}
          onClick={() => {
            onOpen({ type: "rotation" });
            void rotation.refresh();
          }}
        >
          <span className="topbar-label">Rotation</span>
          {rotation.urgent > 0 ? (
            <span className="count-badge" aria-hidden="true">
              {rotation.urgent}
            </span>
          ) : null}
        </Button>
        <span id={rotationCountId} hidden>
          {`${rotation.urgent} to rotate now`}
        </span>
        {team.decides ? (
          <Button
            variant="ghost"
            icon="inbox"
            aria-label="Access requests"
            aria-describedby={pendingCount > 0 ? countId : undefined}
            onClick={() => {
              // Requests arrive from other devices between polls: opening reads afresh.
              onOpen({ type: "access-requests" });
              void team.refresh();
            }}
          >
            <span className="topbar-label">Access requests</span>
            {pendingCount > 0 ? (
              <span className="count-badge" aria-hidden="true">
                {pendingCount}
              </span>
            ) : null}
          </Button>
        ) : null}
        {/* Outside the button: a description is not read from the button's own content. */}
        <span id={countId} hidden>
          {`${pendingCount} pending`}
        </span>
        <Button
          variant="ghost"
          icon="users"
          aria-label="Members"
          onClick={() => {
            onOpen({ type: "members" });
            void team.refresh();
          }}
        >
          <span className="topbar-label">Members</span>
        </Button>
        <Button
          variant="ghost"
          icon="server"
          aria-label="Machines"
          onClick={() => {
            onOpen({ type: "machines" });
            // Who may add, rotate and revoke follows the roster: read it afresh, as Members does.
            void team.refresh();
          }}
        >
          <span className="topbar-label">Machines</span>
        </Button>
        <Button icon="plus" onClick={() => onOpen({ type: "add-project" })}>
          Add project
        </Button>
        {/* Icon only (named and titled "Scan for leaks"): the bar is full at common widths. */}
        <IconButton icon="scan" label="Scan for leaks" onClick={() => onOpen({ type: "scan" })} />
        <IconButton icon="settings" label="Settings" onClick={() => onOpen({ type: "settings" })} />
        <Button variant="ghost" icon="lock" onClick={onLock}>
          Lock
        </Button>
      </div>
    </header>
  );
}
