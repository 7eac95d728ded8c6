import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { formatDateTime } from "../../lib/time";
import { installFake } from "../../test/fake";
import { openScope, renderApp } from "../../test/render";

const DAY = 86_400;

async function openMachines(user: ReturnType<typeof renderApp>["user"]) {
  await screen.findByRole("navigation", { name: "Projects" });
  await user.click(screen.getByRole("button", { name: "Machines" }));
  return screen.getByRole("dialog", { name: "Machines" });
}

/** The row's data cells: scopes, created by, expires, last used (then the owner's actions). */
function cells(row: HTMLElement) {
  const [scopes, createdBy, expires, lastUsed] = within(row).getAllByRole("cell");
  return { scopes, createdBy, expires, lastUsed };
}

describe("machines list", () => {
  it("shows scopes, creator, expiry, last use and an exposed token", async () => {
    const fake = installFake();
    const expiresAt = fake.now + 30 * DAY;
    const usedAt = fake.now - 2 * 3600;
    fake.addMachine("ci-nightly", ["llm-eval/prod"], {
      expires_at: expiresAt,
      last_used_at: usedAt,
      last_used_from: "github-actions:eval-nightly#812",
    });
    fake.addMachine("train-run-7", ["training/dev"], { expires_at: fake.now - DAY });
    fake.addMachine("serve-eu", ["llm-eval/dev", "llm-eval/prod"], {
      created_by: "grace",
      exposed: "notebooks/eval.ipynb",
    });
    const { user } = renderApp();
    const dialog = await openMachines(user);

    const nightly = await within(dialog).findByRole("row", { name: "ci-nightly" });
    const n = cells(nightly);
    expect(n.scopes).toHaveTextContent("llm-eval/prod");
    expect(n.createdBy).toHaveTextContent("ada");
    expect(n.expires).toHaveTextContent(formatDateTime(expiresAt));
    expect(n.expires).not.toHaveTextContent("expired");
    expect(n.lastUsed).toHaveTextContent(formatDateTime(usedAt));
    expect(n.lastUsed).toHaveTextContent("from github-actions:eval-nightly#812");
    expect(within(nightly).queryByText("exposed")).not.toBeInTheDocument();

    const training = within(dialog).getByRole("row", { name: "train-run-7" });
    expect(within(cells(training).expires!).getByText("expired")).toHaveClass("badge-danger");
    expect(cells(training).lastUsed).toHaveTextContent(/^never$/);
    // Rust refuses to rotate an expired machine: the button says so by being off.
    expect(within(training).getByRole("button", { name: "Rotate token for train-run-7" })).toBeDisabled();

    const serve = within(dialog).getByRole("row", { name: "serve-eu" });
    expect(cells(serve).expires).toHaveTextContent(/^never$/);
    expect(cells(serve).createdBy).toHaveTextContent("grace");
    expect(cells(serve).scopes).toHaveTextContent("llm-eval/devllm-eval/prod");
    expect(within(serve).getByText("exposed")).toHaveClass("badge-danger");
    expect(serve).toHaveTextContent("Its token was found in clear in notebooks/eval.ipynb: rotate it.");

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Machines" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Machines" })).toHaveFocus();
  });

  it("offers a lead Add with the scopes they lead, and nothing to rotate or revoke", async () => {
    const fake = installFake();
    fake.me = "grace";
    fake.addMachine("ci-nightly", ["llm-eval/prod"], { exposed: "ci-logs/build-812.txt" });
    const { user } = renderApp();
    const dialog = await openMachines(user);
    const row = await within(dialog).findByRole("row", { name: "ci-nightly" });
    // Only the owner rotates and revokes.
    expect(within(row).queryByRole("button")).not.toBeInTheDocument();
    expect(row).toHaveTextContent("Its token was found in clear in ci-logs/build-812.txt: ask the owner to rotate it.");

    await user.click(await within(dialog).findByRole("button", { name: "Add machine" }));
    const add = screen.getByRole("dialog", { name: "Add machine" });
    const offered = within(within(add).getByRole("group", { name: "Scopes" })).getAllByRole("checkbox");
    expect(offered.map((box) => box.getAttribute("aria-label"))).toEqual(["llm-eval/dev", "llm-eval/prod"]);

    // Enter on a checkbox sends the form too; an empty expiry is "until revoked" (null).
    await user.type(within(add).getByLabelText("Name"), "eval-runner");
    await user.click(offered[0]!);
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("dialog", { name: "Token for eval-runner" })).toBeInTheDocument();
    expect(fake.called("add_machine").map((c) => c.args)).toEqual([
      { name: "eval-runner", scopes: ["llm-eval/dev"], expires: null },
    ]);
  });

  it("shows a plain member the list and nothing to change", async () => {
    const fake = installFake();
    fake.me = "linus";
    fake.addMachine("ci-nightly", ["llm-eval/prod"]);
    const { user } = renderApp();
    // Once Members shows him, the UI knows linus is a plain member (a lead would see Add).
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Members" }));
    const members = screen.getByRole("dialog", { name: "Members" });
    expect(await within(members).findByRole("row", { name: "linus" })).toHaveTextContent("(you)");
    await user.keyboard("{Escape}");

    const dialog = await openMachines(user);
    const row = await within(dialog).findByRole("row", { name: "ci-nightly" });
    expect(within(row).queryByRole("button")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("button", { name: "Add machine" })).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("columnheader", { name: "Actions" })).not.toBeInTheDocument();
  });
});

describe("adding a machine", () => {
  it("sends the name, scopes and expiry, then shows the token once", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const machines = await openMachines(user);
    expect(await within(machines).findByText(/No machines yet/)).toBeInTheDocument();

    await user.click(within(machines).getByRole("button", { name: "Add machine" }));
    const add = screen.getByRole("dialog", { name: "Add machine" });
    expect(within(add).getByLabelText("Name")).toHaveFocus();
    await user.keyboard("ci-nightly");
    const scopes = within(add).getByRole("group", { name: "Scopes" });
    expect(within(scopes).getAllByRole("checkbox").map((box) => box.getAttribute("aria-label"))).toEqual([
      "llm-eval/dev",
      "llm-eval/prod",
      "training/dev",
      "training/prod",
    ]);
    await user.click(within(scopes).getByLabelText("training/dev"));
    await user.click(within(scopes).getByLabelText("llm-eval/prod"));
    const expires = within(add).getByLabelText("Expires after");
    expect(expires).toHaveAccessibleDescription("e.g. 12h, 30d; empty: until revoked");
    await user.type(expires, "30d{Enter}");

    const panel = await screen.findByRole("dialog", { name: "Token for ci-nightly" });
    // Exactly the three arguments Rust takes; scopes in the order offered.
    expect(fake.called("add_machine").map((c) => c.args)).toEqual([
      { name: "ci-nightly", scopes: ["llm-eval/prod", "training/dev"], expires: "30d" },
    ]);
    expect(screen.queryByRole("dialog", { name: "Add machine" })).not.toBeInTheDocument();
    const token = fake.issuedTokens[0] ?? "";
    expect(token).toMatch(/^ksm1_.{100,}$/);
    const field = within(panel).getByLabelText("Token");
    expect(field).toHaveValue(token);
    expect(field).toHaveAttribute("readonly");
    expect(field).toHaveClass("mono");
    expect(panel).toHaveTextContent("Shown this once: put it in your CI's secret store as KEYSHELF_TOKEN");

    const copy = within(panel).getByRole("button", { name: "Copy" });
    expect(copy).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await within(panel).findByRole("status")).toHaveTextContent("Copied; the clipboard clears itself.");
    expect(fake.called("copy_machine_token").map((c) => c.args)).toEqual([{ token }]);
    expect(fake.clipboard).toBe(token);

    // The toast says what happened, never the token; the list behind already shows the machine.
    const toast = await screen.findByText("Added machine ci-nightly.");
    expect(toast.closest(".toast-region")?.innerHTML).not.toContain(token);
    const row = await within(machines).findByRole("row", { name: "ci-nightly" });
    expect(cells(row).scopes).toHaveTextContent("llm-eval/prodtraining/dev");
    expect(cells(row).expires).toHaveTextContent(formatDateTime(fake.now + 30 * DAY));

    await user.click(within(panel).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog", { name: /^Token for/ })).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(token)).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(token);
    expect(within(machines).getByRole("button", { name: "Add machine" })).toHaveFocus();
  });

  it("shows a refusal as one line in the form, keeping what was typed", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const machines = await openMachines(user);
    await user.click(await within(machines).findByRole("button", { name: "Add machine" }));
    const add = screen.getByRole("dialog", { name: "Add machine" });
    const name = within(add).getByLabelText("Name");
    const expires = within(add).getByLabelText("Expires after");

    // Nothing is sent without a scope.
    await user.type(name, "linus");
    await user.type(expires, "12h");
    await user.click(within(add).getByRole("button", { name: "Add machine" }));
    expect(within(add).getByRole("alert")).toHaveTextContent("Choose at least one scope for the machine to read.");
    expect(fake.called("add_machine")).toHaveLength(0);

    // A person's name is taken: Rust refuses, the dialog says why and keeps the input.
    await user.click(within(add).getByLabelText("llm-eval/dev"));
    await user.click(within(add).getByRole("button", { name: "Add machine" }));
    const alerts = await within(add).findAllByRole("alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent(/^A member named "linus" already exists in this vault: choose another name$/);
    expect(name).toHaveValue("linus");
    expect(expires).toHaveValue("12h");
    expect(within(add).getByLabelText("llm-eval/dev")).toBeChecked();
    expect(screen.queryByRole("dialog", { name: /^Token for/ })).not.toBeInTheDocument();

    await user.clear(name);
    await user.type(name, "ci-nightly");
    await user.clear(expires);
    await user.type(expires, "30m{Enter}");
    expect(await within(add).findByRole("alert")).toHaveTextContent(
      "Cannot add machine ci-nightly: a machine's expiry is at least 1h",
    );
    expect(expires).toHaveValue("30m");
    expect(fake.machines).toHaveLength(0);
  });
});

describe("revoking a machine", () => {
  it("previews what is rekeyed and exposed, and revokes only when confirmed", async () => {
    const fake = installFake();
    fake.addMachine("ci-nightly", ["llm-eval/prod"], { reads: ["llm-eval/prod/OPENAI_API_KEY"] });
    fake.addMachine("serve-eu", ["training/dev"]);
    const { user } = renderApp();
    // The list behind shows the scope whose secret becomes exposed.
    const list = await openScope(user, "llm-eval/prod");
    await within(list).findByRole("button", { name: "OPENAI_API_KEY" });
    const machines = await openMachines(user);

    const revoke = await within(machines).findByRole("button", { name: "Revoke ci-nightly" });
    await user.click(revoke);
    let confirm = await screen.findByRole("dialog", { name: "Revoke machine" });
    expect(fake.called("preview_revoke_machine").map((c) => c.args)).toEqual([{ name: "ci-nightly" }]);
    expect(within(confirm).getByRole("list", { name: "Scopes rekeyed" })).toHaveTextContent(
      "llm-eval/prod: 2 versions re-encrypted under a new key; ada, grace, linus keep access.",
    );
    expect(confirm).toHaveTextContent("ci-nightly read 1 secret, which becomes 'exposed' and must be rotated at the provider:");
    expect(within(confirm).getByRole("list", { name: "Secrets that become exposed" })).toHaveTextContent(
      "llm-eval/prod/OPENAI_API_KEY",
    );
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();

    // Cancelling changes nothing.
    await user.keyboard("{Enter}");
    expect(screen.queryByRole("dialog", { name: "Revoke machine" })).not.toBeInTheDocument();
    expect(revoke).toHaveFocus();
    expect(fake.called("revoke_machine")).toHaveLength(0);
    expect(fake.machines.map((m) => m.name)).toContain("ci-nightly");

    await user.click(revoke);
    confirm = await screen.findByRole("dialog", { name: "Revoke machine" });
    expect(fake.called("revoke_machine")).toHaveLength(0);
    const listReads = fake.called("list_secrets").length;
    const rosterReads = fake.called("list_members").length;
    await user.click(within(confirm).getByRole("button", { name: "Revoke" }));
    expect(fake.called("revoke_machine").map((c) => c.args)).toEqual([{ name: "ci-nightly" }]);
    expect(await screen.findByText("Revoked machine ci-nightly. 1 secret it read is flagged exposed.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Revoke machine" })).not.toBeInTheDocument();
    await waitFor(() => expect(within(machines).queryByRole("row", { name: "ci-nightly" })).not.toBeInTheDocument());
    // The focus stays in the dialog, on the next row's first button.
    await waitFor(() => expect(within(machines).getByRole("button", { name: "Rotate token for serve-eu" })).toHaveFocus());

    // The open list and the roster were read again: the secret it read is flagged.
    await waitFor(() => expect(fake.called("list_secrets").length).toBeGreaterThan(listReads));
    expect(fake.called("list_members").length).toBeGreaterThan(rosterReads);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(within(list).getByRole("button", { name: "OPENAI_API_KEY" })).toHaveTextContent("Exposed"));
    expect(within(list).getByRole("button", { name: "DATABASE_URL" })).not.toHaveTextContent("Exposed");
  });

  it("shows a refused preview in the dialog and asks nothing", async () => {
    const fake = installFake();
    fake.addMachine("ci-nightly", ["llm-eval/prod"]);
    const { user } = renderApp();
    const machines = await openMachines(user);
    const revoke = await within(machines).findByRole("button", { name: "Revoke ci-nightly" });
    // Meanwhile the owner revoked it from the CLI.
    fake.machines = [];
    await user.click(revoke);
    expect(await within(machines).findByRole("alert")).toHaveTextContent("Member ci-nightly is not in this vault");
    expect(screen.queryByRole("dialog", { name: "Revoke machine" })).not.toBeInTheDocument();
    expect(fake.called("revoke_machine")).toHaveLength(0);
  });
});

describe("rotating a machine's token", () => {
  it("asks first, then shows the new token once and refreshes the list", async () => {
    const fake = installFake();
    const expiresAt = fake.now + 10 * DAY;
    fake.addMachine("ci-nightly", ["llm-eval/prod"], {
      expires_at: expiresAt,
      exposed: "ci-logs/build-812.txt",
      reads: ["llm-eval/prod/DATABASE_URL"],
    });
    const { user } = renderApp();
    const machines = await openMachines(user);
    const row = await within(machines).findByRole("row", { name: "ci-nightly" });
    expect(within(row).getByText("exposed")).toBeInTheDocument();

    const rotate = within(row).getByRole("button", { name: "Rotate token for ci-nightly" });
    await user.click(rotate);
    const confirm = screen.getByRole("dialog", { name: "Rotate token" });
    expect(confirm).toHaveTextContent("Rotating revokes ci-nightly's current token at once (llm-eval/prod is rekeyed)");
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    expect(fake.called("rotate_machine")).toHaveLength(0);

    const listReads = fake.called("list_secrets").length;
    await user.click(within(confirm).getByRole("button", { name: "Rotate token" }));
    const panel = await screen.findByRole("dialog", { name: "Token for ci-nightly" });
    expect(fake.called("rotate_machine").map((c) => c.args)).toEqual([{ name: "ci-nightly" }]);
    const token = fake.issuedTokens.at(-1) ?? "";
    expect(token).toMatch(/^ksm1_/);
    expect(within(panel).getByLabelText("Token")).toHaveValue(token);
    expect(panel).toHaveTextContent("Shown this once: put it in your CI's secret store as KEYSHELF_TOKEN");
    expect(
      await screen.findByText("Rotated ci-nightly's token; the old one is revoked. 1 secret it read is flagged exposed."),
    ).toBeInTheDocument();

    // What the old token read is flagged: the open list is read again.
    await waitFor(() => expect(fake.called("list_secrets").length).toBeGreaterThan(listReads));
    // Same name, scopes and expiry; the old token's exposure went with it.
    await waitFor(() => expect(within(row).queryByText("exposed")).not.toBeInTheDocument());
    expect(cells(row).scopes).toHaveTextContent("llm-eval/prod");
    expect(cells(row).expires).toHaveTextContent(formatDateTime(expiresAt));

    // A stray Escape before copying only warns: the token cannot be shown again.
    await user.keyboard("{Escape}");
    expect(panel).toBeInTheDocument();
    expect(panel).toHaveTextContent("Not copied yet: once this closes the token cannot be shown again.");
    expect(within(panel).getByLabelText("Token")).toHaveValue(token);
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Token for ci-nightly" })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(token);
    expect(screen.getByRole("dialog", { name: "Machines" })).toBeInTheDocument();
    expect(rotate).toHaveFocus();
  });

  it("keeps a refused rotation in the confirmation", async () => {
    const fake = installFake();
    fake.addMachine("ci-nightly", ["llm-eval/prod"]);
    const { user } = renderApp();
    const machines = await openMachines(user);
    await user.click(await within(machines).findByRole("button", { name: "Rotate token for ci-nightly" }));
    // The vault changed hands meanwhile: this device is no longer the owner's.
    const ada = fake.roster.find((m) => m.name === "ada");
    if (ada) ada.role = "member";
    const confirm = screen.getByRole("dialog", { name: "Rotate token" });
    await user.click(within(confirm).getByRole("button", { name: "Rotate token" }));
    expect(await within(confirm).findByRole("alert")).toHaveTextContent(
      "Cannot rotate machine ci-nightly: only the owner removes members and machines",
    );
    expect(screen.queryByRole("dialog", { name: /^Token for/ })).not.toBeInTheDocument();
    expect(fake.issuedTokens).toHaveLength(0);
  });
});
