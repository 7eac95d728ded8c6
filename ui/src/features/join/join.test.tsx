import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake, JOINED_FINGERPRINT, PASSPHRASE, RECOVERY_KEY } from "../../test/fake";
import { renderApp } from "../../test/render";

describe("joining a shared vault", () => {
  it("joins, shows both fingerprints, then the recovery key, then a browser with every scope locked", async () => {
    const fake = installFake({ member: null });
    const { user } = renderApp();

    expect(await screen.findByRole("heading", { name: "Join ml-team" })).toBeInTheDocument();
    // Not a member: the keychain is not even tried.
    expect(fake.called("unlock")).toHaveLength(0);
    const join = screen.getByRole("button", { name: "Join vault" });
    expect(join).toBeDisabled();

    await user.type(screen.getByLabelText("Your name"), " grace2 ");
    await user.type(screen.getByLabelText("Passphrase"), PASSPHRASE);
    expect(screen.getByText("Strength: strong")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Repeat passphrase"), "correct horse");
    expect(screen.getByRole("alert")).toHaveTextContent("The passphrases do not match.");
    expect(join).toBeDisabled();
    await user.type(screen.getByLabelText("Repeat passphrase"), " battery staple");
    await user.click(join);

    expect(await screen.findByRole("heading", { name: "Compare fingerprints" })).toBeInTheDocument();
    expect(fake.called("join_vault")).toEqual([{ cmd: "join_vault", args: { name: "grace2", passphrase: PASSPHRASE } }]);
    expect(screen.getByLabelText("Your fingerprint")).toHaveTextContent(JOINED_FINGERPRINT);
    expect(screen.getByLabelText("Owner fingerprint")).toHaveTextContent("3F2A 9C1B 77D0 E4A5");
    expect(screen.getByText("ada's fingerprint")).toBeInTheDocument();
    expect(screen.getByText(/over a channel you trust/)).toBeInTheDocument();
    expect(screen.getByText(/an owner or a lead must still admit you/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(await screen.findByRole("heading", { name: "Save your recovery key" })).toBeInTheDocument();
    expect(screen.getByLabelText("Recovery key")).toHaveTextContent(RECOVERY_KEY);
    const next = screen.getByRole("button", { name: "Continue" });
    expect(next).toBeDisabled();
    await user.click(screen.getByLabelText("I saved the recovery key"));
    await user.click(next);

    const nav = await screen.findByRole("navigation", { name: "Projects" });
    expect(screen.getByText("Signed in as grace2")).toBeInTheDocument();
    for (const scope of ["llm-eval/dev", "llm-eval/prod", "training/dev", "training/prod"]) {
      await waitFor(() => expect(within(nav).getByRole("button", { name: scope })).toHaveAccessibleDescription("No access"));
    }
    expect(await screen.findByText("You have no access to llm-eval/dev.")).toBeInTheDocument();
    expect(fake.called("list_secrets")).toHaveLength(0);
    expect(screen.queryByRole("button", { name: "Access requests" })).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(RECOVERY_KEY);
  });

  it("shows Rust's refusal on the join form", async () => {
    installFake({ member: null });
    const { user } = renderApp();
    await user.type(await screen.findByLabelText("Your name"), "linus");
    await user.type(screen.getByLabelText("Passphrase"), PASSPHRASE);
    await user.type(screen.getByLabelText("Repeat passphrase"), `${PASSPHRASE}{Enter}`);
    expect(await screen.findByRole("alert")).toHaveTextContent("Member linus already exists");
    expect(screen.getByRole("heading", { name: "Join ml-team" })).toBeInTheDocument();
  });
});
