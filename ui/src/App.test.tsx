import { act, fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { ACTIVITY_REPORT_MS } from "./config";
import { installFake, PASSPHRASE, RECOVERY_KEY, type FakeVault } from "./test/fake";
import { openScope, renderApp } from "./test/render";

async function showSecret(user: ReturnType<typeof renderApp>["user"]) {
  const list = await openScope(user, "llm-eval/prod");
  await user.click(within(list).getByRole("button", { name: "OPENAI_API_KEY" }));
  return screen.findByRole("region", { name: "Secret detail" });
}

describe("idle lock (owned by Rust)", () => {
  it("reports input only while the browser is shown, at most once every 15 s", async () => {
    expect(ACTIVITY_REPORT_MS).toBe(15_000);
    let now = 1_700_000_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const fake = installFake({ keychain: "empty" });
    const { user } = renderApp();
    const reports = () => fake.called("note_activity").length;

    // Typing the passphrase is not activity in an unlocked vault.
    await user.type(await screen.findByLabelText("Passphrase"), `${PASSPHRASE}{Enter}`);
    await screen.findByRole("navigation", { name: "Projects" });
    expect(reports()).toBe(0);

    for (let i = 0; i < 50; i += 1) fireEvent.pointerMove(document.body, { clientX: i, clientY: i });
    fireEvent.keyDown(window, { key: "a" });
    fireEvent.wheel(document.body);
    expect(reports()).toBe(1);

    now += ACTIVITY_REPORT_MS - 1;
    fireEvent.pointerDown(document.body);
    expect(reports()).toBe(1);
    now += 1;
    fireEvent.wheel(document.body);
    expect(reports()).toBe(2);
    fireEvent.keyDown(window, { key: "b" });
    expect(reports()).toBe(2);
    expect(fake.called("note_activity")[0]?.args).toEqual({});

    await user.click(screen.getByRole("button", { name: "Lock" }));
    await screen.findByRole("heading", { name: "Unlock Keyshelf" });
    const afterLock = reports();
    now += ACTIVITY_REPORT_MS;
    fireEvent.pointerMove(document.body);
    expect(reports()).toBe(afterLock);
  });

  it.each([
    ["idle", "Locked after a period of inactivity."],
    ["system", "Locked because the screen locked."],
  ] as const)("goes to Unlock with a message when Rust locks for reason %s", async (reason, message) => {
    const fake = installFake();
    const { user } = renderApp();
    await showSecret(user);

    await act(() => fake.emitLocked(reason));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    // Information, not an error: a quiet note, no alert.
    expect(screen.getByText(message)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Secret detail" })).not.toBeInTheDocument();
    // Rust already dropped the keys: the UI does not lock again.
    expect(fake.called("lock")).toHaveLength(0);
  });

  it("treats a manual lock from elsewhere as news without an error", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await showSecret(user);
    await act(() => fake.emitLocked("manual"));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("keeps the recovery key on screen when Rust locks; Continue then goes to Unlock", async () => {
    const fake: FakeVault = installFake({ exists: false, seed: false });
    const { user } = renderApp();
    await user.type(await screen.findByLabelText("Team name"), "ml-team");
    await user.type(screen.getByLabelText("Your name"), "ada");
    await user.type(screen.getByLabelText("Passphrase"), PASSPHRASE);
    await user.type(screen.getByLabelText("Repeat passphrase"), PASSPHRASE);
    await user.click(screen.getByRole("button", { name: "Create vault" }));
    expect(await screen.findByRole("heading", { name: "Save your recovery key" })).toBeInTheDocument();

    await act(() => fake.emitLocked("idle"));
    expect(screen.getByRole("heading", { name: "Save your recovery key" })).toBeInTheDocument();
    expect(screen.getByLabelText("Recovery key")).toHaveTextContent(RECOVERY_KEY);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    await user.click(screen.getByLabelText("I saved the recovery key"));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(screen.getByText("Locked after a period of inactivity.")).toBeInTheDocument();
    expect(screen.queryByText(RECOVERY_KEY)).not.toBeInTheDocument();
    // Straight to Unlock: the browser never asked the locked vault for anything.
    expect(fake.called("list_projects")).toHaveLength(0);
  });

  it("still ends up on Unlock when the event is missed and Continue meets a locked vault", async () => {
    const fake = installFake({ exists: false, seed: false });
    const { user } = renderApp();
    await user.type(await screen.findByLabelText("Team name"), "ml-team");
    await user.type(screen.getByLabelText("Your name"), "ada");
    await user.type(screen.getByLabelText("Passphrase"), PASSPHRASE);
    await user.type(screen.getByLabelText("Repeat passphrase"), PASSPHRASE);
    await user.click(screen.getByRole("button", { name: "Create vault" }));
    await screen.findByRole("heading", { name: "Save your recovery key" });

    fake.unlocked = false; // dropped without an event reaching the page
    await user.click(screen.getByLabelText("I saved the recovery key"));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(await screen.findByText("The vault was locked. Unlock it again.")).toHaveAttribute("role", "alert");
  });
});

describe("locking", () => {
  it("locks with the Lock button without showing an error", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await showSecret(user);
    await user.click(screen.getByRole("button", { name: "Lock" }));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(fake.called("lock")).toHaveLength(1);
    expect(fake.unlocked).toBe(false);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("returns to the unlock screen when a command finds the vault locked", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await openScope(user, "llm-eval/dev");
    fake.unlocked = false; // e.g. the session was dropped behind the UI's back
    await user.click(screen.getByRole("button", { name: "llm-eval/prod" }));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("The vault was locked");
  });

  it("says why once the lock event arrives after a command already found the vault locked", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await openScope(user, "llm-eval/dev");
    // The screen locked: Rust dropped the keys, and a command in flight heard "locked" first.
    fake.unlocked = false;
    await user.click(screen.getByRole("button", { name: "llm-eval/prod" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The vault was locked");
    await act(() => fake.emitLocked("system"));
    expect(await screen.findByText("Locked because the screen locked.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
