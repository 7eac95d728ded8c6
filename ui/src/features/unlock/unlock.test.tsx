import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake, PASSPHRASE, RECOVERY_KEY } from "../../test/fake";
import { renderApp } from "../../test/render";

describe("first run", () => {
  it("creates the vault and gates Continue behind the saved recovery key", async () => {
    const fake = installFake({ exists: false, seed: false });
    const { user } = renderApp();

    expect(await screen.findByRole("heading", { name: "Create your team vault" })).toBeInTheDocument();
    const create = screen.getByRole("button", { name: "Create vault" });
    expect(create).toBeDisabled();

    await user.type(screen.getByLabelText("Team name"), "ml-team");
    await user.type(screen.getByLabelText("Your name"), "ada");
    await user.type(screen.getByLabelText("Passphrase"), PASSPHRASE);
    await user.type(screen.getByLabelText("Repeat passphrase"), "correct horse");
    expect(screen.getByRole("alert")).toHaveTextContent("The passphrases do not match.");
    expect(create).toBeDisabled();

    await user.type(screen.getByLabelText("Repeat passphrase"), " battery staple");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(create).toBeEnabled();
    await user.click(create);

    expect(await screen.findByRole("heading", { name: "Save your recovery key" })).toBeInTheDocument();
    expect(fake.called("create_vault")[0]?.args).toEqual({ team: "ml-team", user: "ada", passphrase: PASSPHRASE });
    expect(screen.getByLabelText("Recovery key")).toHaveTextContent(RECOVERY_KEY);
    expect(screen.getByText(/shown once/)).toBeInTheDocument();

    const next = screen.getByRole("button", { name: "Continue" });
    expect(next).toBeDisabled();
    await user.click(screen.getByLabelText("I saved the recovery key"));
    expect(next).toBeEnabled();
    await user.click(next);

    expect(await screen.findByRole("navigation", { name: "Projects" })).toBeInTheDocument();
    expect(screen.queryByText(RECOVERY_KEY)).not.toBeInTheDocument();
  });

  it("rates the passphrase as the user types", async () => {
    installFake({ exists: false, seed: false });
    const { user } = renderApp();
    const field = await screen.findByLabelText("Passphrase");

    await user.type(field, "abc12");
    expect(screen.getByText(/Strength: weak/)).toBeInTheDocument();
    await user.clear(field);
    await user.type(field, "Summer2024");
    expect(screen.getByText("Strength: fair")).toBeInTheDocument();
    await user.clear(field);
    await user.type(field, PASSPHRASE);
    expect(screen.getByText("Strength: strong")).toBeInTheDocument();
  });
});

describe("unlock", () => {
  it("opens straight into the vault when the OS keychain holds the key", async () => {
    const fake = installFake({ keychain: "key" });
    renderApp();
    expect(await screen.findByRole("navigation", { name: "Projects" })).toBeInTheDocument();
    expect(fake.called("unlock")).toEqual([{ cmd: "unlock", args: { passphrase: null } }]);
    expect(screen.queryByRole("heading", { name: "Unlock Keyshelf" })).not.toBeInTheDocument();
  });

  it("asks for the passphrase when the keychain is empty and shows a wrong one in the alert", async () => {
    installFake({ keychain: "empty" });
    const { user } = renderApp();

    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    await user.type(screen.getByLabelText("Passphrase"), "not it at all");
    await user.click(screen.getByRole("button", { name: "Unlock" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong passphrase");

    await user.clear(screen.getByLabelText("Passphrase"));
    await user.type(screen.getByLabelText("Passphrase"), `${PASSPHRASE}{Enter}`);
    expect(await screen.findByRole("navigation", { name: "Projects" })).toBeInTheDocument();
  });

  it("shows a keychain problem as a one-line note", async () => {
    installFake({ keychain: "broken" });
    renderApp();
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText("Keychain: no Secret Service on the session bus")).toBeInTheDocument());
  });
});

describe("unlock with the recovery key", () => {
  const NEW_PASSPHRASE = "new tide lantern orchard";

  it("switches forms both ways and refuses mismatched new passphrases without asking Rust", async () => {
    const fake = installFake({ keychain: "empty" });
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "Use recovery key" }));

    const key = screen.getByLabelText("Recovery key");
    expect(key).toHaveFocus();
    expect(key).toHaveAttribute("autocomplete", "off");
    expect(key).toHaveAttribute("spellcheck", "false");
    expect(key).toHaveClass("mono");
    expect(screen.queryByLabelText("Passphrase")).not.toBeInTheDocument();
    expect(screen.getByLabelText("New passphrase")).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("Repeat new passphrase")).toHaveAttribute("type", "password");

    await user.type(key, RECOVERY_KEY);
    await user.type(screen.getByLabelText("New passphrase"), NEW_PASSPHRASE);
    expect(screen.getByText("Strength: strong")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Repeat new passphrase"), "new tide lantern orchards");
    expect(screen.getByRole("alert")).toHaveTextContent("The new passphrases do not match.");
    await user.click(screen.getByRole("button", { name: "Unlock with recovery key" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The new passphrases do not match.");
    expect(fake.called("unlock_with_recovery")).toHaveLength(0);
    expect(screen.getByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Use passphrase" }));
    expect(screen.getByLabelText("Passphrase")).toHaveFocus();
    expect(screen.queryByLabelText("Recovery key")).not.toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows Rust's message for a wrong key, then unlocks and says the passphrase changed", async () => {
    const fake = installFake({ keychain: "empty" });
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "Use recovery key" }));

    await user.type(screen.getByLabelText("Recovery key"), "KSR1-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    await user.type(screen.getByLabelText("New passphrase"), NEW_PASSPHRASE);
    await user.type(screen.getByLabelText("Repeat new passphrase"), NEW_PASSPHRASE);
    await user.click(screen.getByRole("button", { name: "Unlock with recovery key" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong recovery key");

    await user.clear(screen.getByLabelText("Recovery key"));
    // A pasted key with a trailing line break still works.
    await user.type(screen.getByLabelText("Recovery key"), `${RECOVERY_KEY} {Enter}`);
    const nav = await screen.findByRole("navigation", { name: "Projects" });
    expect(within(nav).getByRole("button", { name: "llm-eval/dev" })).toBeInTheDocument();
    expect(fake.called("unlock_with_recovery").at(-1)?.args).toEqual({
      recoveryKey: RECOVERY_KEY,
      newPassphrase: NEW_PASSPHRASE,
    });
    expect(await screen.findByRole("status")).toHaveTextContent("Passphrase changed. Use the new one from now on.");
    expect(fake.passphrase).toBe(NEW_PASSPHRASE);
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
  });
});
