import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { SecretSummary } from "../../bindings/SecretSummary";
import { REVEAL_HIDE_MS } from "../../config";
import { installFake, NOTES, VALUES, type FakeVault } from "../../test/fake";
import { openScope, renderApp } from "../../test/render";

function pageText() {
  return document.body.textContent ?? "";
}

function expectNoValues(fake: FakeVault) {
  const text = pageText();
  for (const value of fake.allValues()) expect(text).not.toContain(value);
  // nor in an input's value, which textContent would miss
  for (const input of document.querySelectorAll("input, textarea")) {
    expect(fake.allValues()).not.toContain((input as HTMLInputElement).value);
  }
}

/** The value next to a term in the detail's facts list. */
function fact(detail: HTMLElement, term: string) {
  return within(detail).getByText(term, { selector: "dt" }).nextElementSibling;
}

async function selectSecret(user: ReturnType<typeof renderApp>["user"], scope: string, name: string) {
  const list = await openScope(user, scope);
  await user.click(within(list).getByRole("button", { name }));
  return screen.findByRole("region", { name: "Secret detail" });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("secret list", () => {
  it("shows another member's new secret when Rust says the vault changed", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/dev");
    expect(within(list).queryByRole("button", { name: "WANDB_API_KEY" })).not.toBeInTheDocument();

    // Someone else stored a key from their own device; Rust's change watch noticed.
    fake.put("llm-eval/dev/WANDB_API_KEY", "wandb-from-elsewhere-0000000000", "wandb", { dueIn: null });
    await act(() => fake.emitVaultChanged());
    expect(await within(list).findByRole("button", { name: "WANDB_API_KEY" })).toBeInTheDocument();
    expectNoValues(fake);
  });

  it("lists the secrets of the selected environment with version, kind and due badges", async () => {
    installFake();
    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/dev");

    const rows = within(list).getAllByRole("listitem");
    expect(rows).toHaveLength(2);
    const openai = within(list).getByRole("button", { name: "OPENAI_API_KEY" });
    expect(openai).toHaveTextContent("v1");
    expect(openai).toHaveTextContent("OpenAI");
    expect(openai).toHaveTextContent("overdue");
    expect(within(list).getByRole("button", { name: "HF_TOKEN" })).toHaveTextContent("due soon");
    expect(within(list).queryByRole("button", { name: "DATABASE_URL" })).not.toBeInTheDocument();

    const prod = await openScope(user, "llm-eval/prod");
    await waitFor(() => expect(within(prod).getByRole("button", { name: "DATABASE_URL" })).toBeInTheDocument());
    expect(within(prod).getByRole("button", { name: "DATABASE_URL" })).not.toHaveTextContent(/overdue|due soon/);
    expect(within(prod).queryByRole("button", { name: "HF_TOKEN" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "training/prod" }));
    expect(await screen.findByText("No secrets in this environment yet")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add secret" })).toBeEnabled();
  });

  it("stays virtualised: 100,000 secrets render only a screenful of rows", async () => {
    const fake = installFake();
    const now = Math.floor(Date.now() / 1000);
    const many: SecretSummary[] = Array.from({ length: 100_000 }, (_, i) => ({
      project: "llm-eval",
      environment: "dev",
      name: `KEY_${String(i).padStart(6, "0")}`,
      kind: "generic",
      is_file: false,
      file_name: null,
      version: 1,
      policy: "default",
      rotate_every_secs: null,
      last_rotated_at: now,
      due_at: null,
      rotation: "no-deadline",
      has_note: false,
      updated_at: now,
      exposed_at: null,
      exposed_reason: null,
      pending_version: null,
      previous_until: null,
      check_command: null,
    }));
    const handle = fake.handle.bind(fake);
    fake.handle = async (cmd, args) => (cmd === "list_secrets" ? many : handle(cmd, args));
    fake.install();

    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/dev");
    const rows = within(list).getAllByRole("listitem");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]).toHaveAttribute("aria-setsize", "100000");
    expect(screen.getByText("100,000 secrets")).toBeInTheDocument();
  });
});

describe("secret values", () => {
  it("never renders a value until Reveal, and drops it on Hide and on lock", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "OPENAI_API_KEY");
    const value = within(detail).getByRole("textbox", { name: "Secret value" });

    expect(within(detail).getByRole("heading", { name: "OPENAI_API_KEY" })).toBeInTheDocument();
    expect(value).toHaveTextContent("••••••••••••");
    expectNoValues(fake);
    expect(fake.called("reveal_secret")).toHaveLength(0);

    await user.click(within(detail).getByRole("button", { name: "Reveal" }));
    await waitFor(() => expect(value).toHaveTextContent(VALUES.devOpenai));
    expect(pageText()).toContain(VALUES.devOpenai);
    expect(fake.called("reveal_secret")[0]?.args).toEqual({ path: "llm-eval/dev/OPENAI_API_KEY" });

    await user.click(within(detail).getByRole("button", { name: "Hide" }));
    expect(value).toHaveTextContent("••••••••••••");
    expectNoValues(fake);

    await user.click(within(detail).getByRole("button", { name: "Reveal" }));
    await waitFor(() => expect(pageText()).toContain(VALUES.devOpenai));
    await user.click(screen.getByRole("button", { name: "Lock" }));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expectNoValues(fake);
    expect(screen.queryByText("OPENAI_API_KEY")).not.toBeInTheDocument();
    expect(fake.unlocked).toBe(false);
  });

  it("hides a revealed value by itself after 20 s", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "HF_TOKEN");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });

    fireEvent.click(within(detail).getByRole("button", { name: "Reveal" }));
    await act(async () => {
      await Promise.resolve();
    });
    await vi.waitFor(() => expect(pageText()).toContain(VALUES.devHf));
    expect(within(detail).getByText("Hides in 20 s")).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(REVEAL_HIDE_MS - 1000));
    expect(pageText()).toContain(VALUES.devHf);
    act(() => vi.advanceTimersByTime(1000));
    expect(pageText()).not.toContain(VALUES.devHf);
    expect(within(detail).getByRole("button", { name: "Reveal" })).toBeInTheDocument();
    expectNoValues(fake);
  });

  it("copies through Rust: a toast, and no reveal_secret call", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "OPENAI_API_KEY");

    await user.click(within(detail).getByRole("button", { name: "Copy" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Copied. The clipboard clears in 30 s.");
    expect(fake.called("copy_secret")[0]?.args).toEqual({ path: "llm-eval/dev/OPENAI_API_KEY" });
    expect(fake.called("reveal_secret")).toHaveLength(0);
    expectNoValues(fake);
  });

  it("copies a notebook snippet and shows it", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/prod", "DATABASE_URL");

    await user.click(within(detail).getByRole("button", { name: "Copy for notebook" }));
    expect(await screen.findByText(/Notebook snippet copied\. It fetches the key at run time/)).toHaveAttribute(
      "role",
      "status",
    );
    expect(within(detail).getByLabelText("Notebook snippet")).toHaveTextContent('keyshelf.get("llm-eval/prod/DATABASE_URL")');
    expect(fake.called("copy_snippet")).toHaveLength(1);
    expect(fake.called("reveal_secret")).toHaveLength(0);
  });

  it("shows history and deletes after confirmation", async () => {
    const fake = installFake();
    fake.put("llm-eval/dev/HF_TOKEN", "hf_FAKEsecondVersion000000", "hugging-face");
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "HF_TOKEN");

    await user.click(within(detail).getByRole("button", { name: "History" }));
    const table = await within(detail).findByRole("table", { name: "Version history" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByText("current")).toBeInTheDocument();

    await user.click(within(detail).getByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("dialog", { name: "Delete secret" });
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(fake.called("remove_secret")).toHaveLength(0);

    await user.click(within(detail).getByRole("button", { name: "Delete" }));
    await user.click(within(screen.getByRole("dialog", { name: "Delete secret" })).getByRole("button", { name: "Delete permanently" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Secret detail" })).not.toBeInTheDocument());
    expect(fake.called("remove_secret")[0]?.args).toEqual({ path: "llm-eval/dev/HF_TOKEN" });
    const list = screen.getByRole("list", { name: "Secrets" });
    await waitFor(() => expect(within(list).queryByRole("button", { name: "HF_TOKEN" })).not.toBeInTheDocument());
  });
});

describe("add secret", () => {
  it("pre-fills the name from the kind, saves, refreshes and selects the new secret", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "training/prod" }));
    expect(await screen.findByText("No secrets in this environment yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add secret" }));
    const dialog = screen.getByRole("dialog", { name: "Add secret" });

    expect(within(dialog).getByRole("radio", { name: "Text" })).toBeChecked();
    await user.selectOptions(within(dialog).getByLabelText("Kind"), "anthropic");
    expect(within(dialog).getByLabelText("Name")).toHaveValue("ANTHROPIC_API_KEY");
    expect(within(dialog).getByRole("radio", { name: "Text" })).toBeChecked();
    expect(within(dialog).getByLabelText("Rotate every")).toHaveAttribute("placeholder", "90d");
    const value = "sk-ant-FAKEnewvalue3333333333";
    await user.type(within(dialog).getByLabelText("Value"), value);
    await user.type(within(dialog).getByLabelText("Note"), "eval runs only");
    await user.click(within(dialog).getByRole("button", { name: "Save secret" }));

    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByRole("heading", { name: "ANTHROPIC_API_KEY" })).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Add secret" })).not.toBeInTheDocument();
    expect(fake.called("set_secret")[0]?.args).toEqual({
      secret: {
        path: "training/prod/ANTHROPIC_API_KEY",
        value: { type: "text", text: value },
        kind: "anthropic",
        note: "eval runs only",
        rotate_every: null,
        based_on: 0,
      },
    });
    const list = screen.getByRole("list", { name: "Secrets" });
    expect(within(list).getByRole("button", { name: "ANTHROPIC_API_KEY" })).toHaveAttribute("aria-current", "true");
    expect(pageText()).not.toContain(value);
  });

  it("shows the command's error message in the dialog", async () => {
    const fake = installFake();
    const handle = fake.handle.bind(fake);
    fake.handle = async (cmd, args) => {
      if (cmd === "set_secret") throw { code: "invalid", message: "invalid duration \"soon\": use 30d, 12w or manual" };
      return handle(cmd, args);
    };
    fake.install();
    const { user } = renderApp();
    await openScope(user, "llm-eval/dev");
    await user.click(screen.getByRole("button", { name: "Add secret" }));
    const dialog = screen.getByRole("dialog", { name: "Add secret" });
    await user.type(within(dialog).getByLabelText("Name"), "X_TOKEN");
    await user.type(within(dialog).getByLabelText("Value"), "v");
    await user.type(within(dialog).getByLabelText("Rotate every"), "soon");
    await user.click(within(dialog).getByRole("button", { name: "Save secret" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent('Invalid duration "soon": use 30d, 12w or manual');
  });
});

describe("file secrets", () => {
  const SERVICE_ACCOUNT = JSON.stringify({ type: "service_account", private_key: "-----FAKE KEY-----" });

  it("defaults to a file for a GCP service account and sends its bytes as base64", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "training/prod" }));
    await user.click(screen.getByRole("button", { name: "Add secret" }));
    const dialog = screen.getByRole("dialog", { name: "Add secret" });
    expect(within(dialog).getByRole("radiogroup", { name: "Value source" })).toBeInTheDocument();

    await user.selectOptions(within(dialog).getByLabelText("Kind"), "gcp-service-account");
    expect(within(dialog).getByRole("radio", { name: "File" })).toBeChecked();
    expect(within(dialog).queryByLabelText("Value")).not.toBeInTheDocument();
    const save = within(dialog).getByRole("button", { name: "Save secret" });
    expect(save).toBeDisabled();

    const input = within(dialog).getByLabelText("File", { selector: 'input[type="file"]' });
    expect(input).toHaveAccessibleDescription(/Up to 1 MiB/);
    await user.upload(input, new File([SERVICE_ACCOUNT], "sa.json", { type: "application/json" }));
    await waitFor(() => expect(save).toBeEnabled());
    await user.click(save);

    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByRole("heading", { name: "GOOGLE_APPLICATION_CREDENTIALS" })).toBeInTheDocument();
    expect(fake.called("set_secret")[0]?.args).toEqual({
      secret: {
        path: "training/prod/GOOGLE_APPLICATION_CREDENTIALS",
        value: { type: "file", name: "sa.json", base64: Buffer.from(SERVICE_ACCOUNT).toString("base64") },
        kind: "gcp-service-account",
        note: null,
        rotate_every: null,
        based_on: 0,
      },
    });
    expect(fact(detail, "File")).toHaveTextContent("sa.json");
    expect(pageText()).not.toContain("FAKE KEY");
  });

  it("refuses a file over 1 MiB before sending anything", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await openScope(user, "llm-eval/dev");
    await user.click(screen.getByRole("button", { name: "Add secret" }));
    const dialog = screen.getByRole("dialog", { name: "Add secret" });
    await user.type(within(dialog).getByLabelText("Name"), "KUBECONFIG");
    await user.click(within(dialog).getByRole("radio", { name: "File" }));

    const input = within(dialog).getByLabelText("File", { selector: 'input[type="file"]' });
    await user.upload(input, new File([new Uint8Array(1024 * 1024 + 1)], "huge.yaml"));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      'The file "huge.yaml" is 1,048,577 bytes; files can be at most 1 MiB (1,048,576 bytes).',
    );
    const save = within(dialog).getByRole("button", { name: "Save secret" });
    expect(save).toBeDisabled();
    await user.type(within(dialog).getByLabelText("Name"), "{Enter}");
    expect(fake.called("set_secret")).toHaveLength(0);

    // Back to text: the refused file is forgotten and a typed value works.
    await user.click(within(dialog).getByRole("radio", { name: "Text" }));
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Value"), "apiVersion: v1");
    await user.click(save);
    await waitFor(() => expect(fake.called("set_secret")).toHaveLength(1));
    expect(fake.called("set_secret")[0]?.args).toMatchObject({
      secret: { path: "llm-eval/dev/KUBECONFIG", value: { type: "text", text: "apiVersion: v1" } },
    });
  });
});

describe("notes", () => {
  it("shows a note only when asked, hides it, and drops it on switching secrets and on lock", async () => {
    const fake = installFake();
    const { user } = renderApp();
    let detail = await selectSecret(user, "llm-eval/dev", "OPENAI_API_KEY");
    expect(fake.called("secret_note")).toHaveLength(0);
    expect(pageText()).not.toContain(NOTES.devOpenai);

    await user.click(within(detail).getByRole("button", { name: "Show note" }));
    expect(await within(detail).findByLabelText("Note text")).toHaveTextContent(NOTES.devOpenai);
    expect(fake.called("secret_note")).toEqual([{ cmd: "secret_note", args: { path: "llm-eval/dev/OPENAI_API_KEY" } }]);

    await user.click(within(detail).getByRole("button", { name: "Hide note" }));
    expect(within(detail).queryByLabelText("Note text")).not.toBeInTheDocument();
    expect(pageText()).not.toContain(NOTES.devOpenai);

    await user.click(within(detail).getByRole("button", { name: "Show note" }));
    await within(detail).findByLabelText("Note text");
    const list = screen.getByRole("list", { name: "Secrets" });
    await user.click(within(list).getByRole("button", { name: "HF_TOKEN" }));
    detail = await screen.findByRole("region", { name: "Secret detail" });
    await within(detail).findByRole("heading", { name: "HF_TOKEN" });
    expect(pageText()).not.toContain(NOTES.devOpenai);
    // HF_TOKEN has no note: nothing to show.
    expect(within(detail).queryByRole("button", { name: "Show note" })).not.toBeInTheDocument();

    await user.click(within(list).getByRole("button", { name: "OPENAI_API_KEY" }));
    detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByRole("button", { name: "Show note" })).toBeInTheDocument();
    await user.click(within(detail).getByRole("button", { name: "Show note" }));
    await within(detail).findByLabelText("Note text");
    await user.click(screen.getByRole("button", { name: "Lock" }));
    await screen.findByRole("heading", { name: "Unlock Keyshelf" });
    expect(pageText()).not.toContain(NOTES.devOpenai);
  });
});

describe("edit secret", () => {
  it("refuses to overwrite a teammate's newer version and says who and when", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "HF_TOKEN");
    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });

    // While the dialog is open, someone else stores v2 from their own device.
    fake.put("llm-eval/dev/HF_TOKEN", "hf_FAKEfromLinus5555555555555", "hugging-face");
    await user.type(within(dialog).getByLabelText("New value"), "hf_FAKEmine666666666666666666");
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "changed since it was read: it is now version 2, by linus",
    );
    expect(fake.secret("llm-eval/dev/HF_TOKEN").values).toHaveLength(2);
    expectNoValues(fake);
  });

  it("fetches the note only when opened and changes only what changed, in place", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "OPENAI_API_KEY");
    expect(fake.called("secret_note")).toHaveLength(0);

    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });
    expect(within(dialog).getByLabelText("Kind")).toHaveValue("openai");
    expect(within(dialog).getByLabelText("Rotate every")).toHaveValue("90d");
    expect(within(dialog).getByLabelText("New value")).toHaveValue("");
    expect(within(dialog).getByLabelText("New value")).toHaveAccessibleDescription(
      "Leave empty to keep the current value. A new value becomes a new version.",
    );
    await waitFor(() => expect(within(dialog).getByLabelText("Note")).toHaveValue(NOTES.devOpenai));
    expect(fake.called("secret_note")).toEqual([{ cmd: "secret_note", args: { path: "llm-eval/dev/OPENAI_API_KEY" } }]);
    const save = within(dialog).getByRole("button", { name: "Save changes" });
    expect(save).toBeDisabled(); // nothing changed yet

    await user.clear(within(dialog).getByLabelText("Rotate every"));
    await user.type(within(dialog).getByLabelText("Rotate every"), "30d");
    await user.clear(within(dialog).getByLabelText("Note"));
    await user.click(save);

    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Edit secret" })).not.toBeInTheDocument());
    expect(fake.called("edit_secret")).toEqual([
      {
        cmd: "edit_secret",
        args: { edit: { path: "llm-eval/dev/OPENAI_API_KEY", kind: null, note: "", rotate_every: "30d", based_on: 1 } },
      },
    ]);
    expect(fake.called("set_secret")).toHaveLength(0);
    expect(screen.getByRole("status")).toHaveTextContent(/^Saved\.$/);
    // The list and the detail were read again.
    await waitFor(() => expect(within(detail).getByText("Every 30 days")).toBeInTheDocument());
    expect(fact(detail, "Note")).toHaveTextContent("None");
    expect(fact(detail, "Version")).toHaveTextContent("v1");
    expect(pageText()).not.toContain(NOTES.devOpenai);
  });

  it("stores a new value as a new version through set_secret, with the other changes", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "HF_TOKEN");
    await user.click(within(detail).getByRole("button", { name: "History" }));
    await within(detail).findByRole("table", { name: "Version history" });

    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });
    // No note stored: nothing to decrypt.
    expect(within(dialog).getByLabelText("Note")).toHaveValue("");
    expect(fake.called("secret_note")).toHaveLength(0);

    const value = "hf_FAKEeditedValue44444444444";
    await user.selectOptions(within(dialog).getByLabelText("Kind"), "generic");
    await user.type(within(dialog).getByLabelText("Note"), "read-only token");
    await user.type(within(dialog).getByLabelText("New value"), value);
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Edit secret" })).not.toBeInTheDocument());
    expect(fake.called("set_secret")).toEqual([
      {
        cmd: "set_secret",
        args: {
          secret: {
            path: "llm-eval/dev/HF_TOKEN",
            value: { type: "text", text: value },
            kind: "generic",
            note: "read-only token",
            rotate_every: null,
            based_on: 1,
          },
        },
      },
    ]);
    expect(fake.called("edit_secret")).toHaveLength(0);
    expect(screen.getByRole("status")).toHaveTextContent("Saved as a new version.");
    await waitFor(() => expect(fact(detail, "Version")).toHaveTextContent("v2"));
    expect(fact(detail, "Kind")).toHaveTextContent("Generic");
    // The open history reloads with the new version.
    await waitFor(() => expect(within(within(detail).getByRole("table")).getAllByRole("row")).toHaveLength(3));
    expect(fake.allValues()).toContain(value);
    expectNoValues(fake);
  });

  it("stores a new value and removes a cleared note in one call", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/dev", "OPENAI_API_KEY");
    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });
    await waitFor(() => expect(within(dialog).getByLabelText("Note")).toHaveValue(NOTES.devOpenai));
    await user.clear(within(dialog).getByLabelText("Note"));
    await user.type(within(dialog).getByLabelText("New value"), "sk-proj-FAKErotated555555555{Enter}");

    await waitFor(() => expect(fake.called("set_secret")).toHaveLength(1));
    expect(fake.called("edit_secret")).toHaveLength(0);
    expect(fake.called("set_secret")[0]?.args).toMatchObject({ secret: { kind: "openai", note: "", rotate_every: null } });
    await waitFor(() => expect(fact(detail, "Note")).toHaveTextContent("None"));
  });

  it("replaces a file secret with another file, not with text", async () => {
    const fake = installFake();
    fake.put("llm-eval/prod/GOOGLE_APPLICATION_CREDENTIALS", "{}", "gcp-service-account", { fileName: "old.json" });
    const { user } = renderApp();
    const detail = await selectSecret(user, "llm-eval/prod", "GOOGLE_APPLICATION_CREDENTIALS");
    expect(fact(detail, "File")).toHaveTextContent("old.json");
    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });
    expect(within(dialog).queryByLabelText("New value")).not.toBeInTheDocument();

    await user.upload(within(dialog).getByLabelText("New file"), new File(['{"v":2}'], "new.json"));
    const save = within(dialog).getByRole("button", { name: "Save changes" });
    await waitFor(() => expect(save).toBeEnabled());
    await user.click(save);
    await waitFor(() => expect(fake.called("set_secret")).toHaveLength(1));
    expect(fake.called("set_secret")[0]?.args).toMatchObject({
      secret: { value: { type: "file", name: "new.json", base64: btoa('{"v":2}') } },
    });
    await waitFor(() => expect(fact(detail, "File")).toHaveTextContent("new.json"));
  });

  it("prefills manual rotation and shows Rust's error in the dialog", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const detail = await selectSecret(user, "training/dev", "WANDB_API_KEY");
    await user.click(within(detail).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit secret" });
    const rotate = within(dialog).getByLabelText("Rotate every");
    expect(rotate).toHaveValue("manual");

    await user.clear(rotate);
    await user.type(rotate, "soon{Enter}");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent('Invalid duration "soon"');
    expect(screen.getByRole("dialog", { name: "Edit secret" })).toBeInTheDocument();
    expect(fake.called("edit_secret")).toHaveLength(1);
  });
});
