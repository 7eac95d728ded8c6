import { emit } from "@tauri-apps/api/event";
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { SecretSummary } from "../../bindings/SecretSummary";
import { installFake, type FakeVault } from "../../test/fake";
import { openScope, renderApp } from "../../test/render";
import { groupDue } from "./RotationDashboard";

const DAY = 86_400;
const NEW_KEY = "sk-proj-FAKErotatedNEW99999999999999";

function summary(fake: FakeVault, path: string): SecretSummary {
  const [project = "", environment = "", name = ""] = path.split("/");
  const stored = fake.projects.get(project)?.get(environment)?.get(name);
  if (!stored) throw new Error(`no ${path} in the fake`);
  return stored.summary;
}

/** The seed, with llm-eval/prod/OPENAI_API_KEY read by someone who lost access. */
function seeded() {
  const fake = installFake();
  Object.assign(summary(fake, "llm-eval/prod/OPENAI_API_KEY"), {
    exposed_at: fake.now - DAY,
    exposed_reason: "read by linus before their access to llm-eval/prod ended",
  });
  return fake;
}

async function openDashboard(user: ReturnType<typeof renderApp>["user"]) {
  await screen.findByRole("navigation", { name: "Projects" });
  await user.click(screen.getByRole("button", { name: "Rotation" }));
  return screen.getByRole("dialog", { name: "Rotation" });
}

describe("rotation dashboard", () => {
  it("counts what must be rotated now in the header and lists everything due in 30 days by urgency", async () => {
    const fake = seeded();
    summary(fake, "llm-eval/dev/HF_TOKEN").pending_version = 2;
    const { user } = renderApp();

    // Exposed + overdue: two, announced as the button's description.
    const button = await screen.findByRole("button", { name: "Rotation" });
    await waitFor(() => expect(button).toHaveAccessibleDescription("2 to rotate now"));
    expect(button).toHaveTextContent("2");
    expect(fake.called("due_secrets")[0]?.args).toEqual({ withinDays: 30 });

    // Keyboard: the button takes focus and Enter opens the dashboard.
    button.focus();
    await user.keyboard("{Enter}");
    const dialog = screen.getByRole("dialog", { name: "Rotation" });

    const sections = within(dialog).getAllByRole("list").map((list) => list.getAttribute("aria-label"));
    expect(sections).toEqual(["Exposed", "Overdue", "Due this week", "Due this month"]);
    const rows = (name: string) =>
      within(within(dialog).getByRole("list", { name }))
        .getAllByRole("listitem")
        .map((row) => row.getAttribute("aria-label"));
    expect(rows("Exposed")).toEqual(["llm-eval/prod/OPENAI_API_KEY"]);
    expect(rows("Overdue")).toEqual(["llm-eval/dev/OPENAI_API_KEY"]);
    expect(rows("Due this week")).toEqual(["llm-eval/dev/HF_TOKEN"]);
    expect(rows("Due this month")).toEqual(["llm-eval/prod/DATABASE_URL"]);

    const exposed = within(dialog).getByRole("listitem", { name: "llm-eval/prod/OPENAI_API_KEY" });
    expect(exposed).toHaveTextContent("Exposed: read by linus before their access to llm-eval/prod ended.");
    expect(exposed).toHaveTextContent("OpenAI");
    const overdue = within(dialog).getByRole("listitem", { name: "llm-eval/dev/OPENAI_API_KEY" });
    expect(overdue).toHaveTextContent("Was due");
    expect(overdue).toHaveTextContent("(3 days ago)");
    expect(within(dialog).getByRole("listitem", { name: "llm-eval/dev/HF_TOKEN" })).toHaveTextContent("v2 pending");
    expect(within(dialog).getByRole("button", { name: "Rotate llm-eval/dev/HF_TOKEN" })).toBeInTheDocument();

    // Nothing the dashboard received holds a value.
    for (const value of fake.allValues()) expect(document.body.innerHTML).not.toContain(value);

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Rotation" })).not.toBeInTheDocument();
    expect(button).toHaveFocus();
  });

  it("groups by deadline against Rust's clock, not the webview's", () => {
    const now = 1_000_000;
    const secret = (name: string, rotation: SecretSummary["rotation"], dueIn: number) =>
      ({ project: "p", environment: "e", name, rotation, due_at: now + dueIn }) as SecretSummary;
    const groups = groupDue({
      now,
      secrets: [secret("A", "due-soon", 7 * DAY), secret("B", "due-soon", 7 * DAY + 1), secret("C", "overdue", -1)],
    });
    expect(groups.map((g) => [g.title, g.secrets.map((s) => s.name)])).toEqual([
      ["Exposed", []],
      ["Overdue", ["C"]],
      ["Due this week", ["A"]],
      ["Due this month", ["B"]],
    ]);
  });

  it("says when nothing is due, and opens when the tray asks and refreshes when Rust says things changed", async () => {
    const fake = installFake({ seed: false });
    fake.addProject("llm-eval", ["dev"], "ada");
    fake.put("llm-eval/dev/OPENAI_API_KEY", "sk-proj-FAKEfresh000000000000000", "openai", { dueIn: 80 * DAY });
    const { user } = renderApp();
    const button = await screen.findByRole("button", { name: "Rotation" });
    await waitFor(() => expect(fake.called("due_secrets")).toHaveLength(1));
    expect(button).not.toHaveAccessibleDescription(/to rotate now/);

    await act(() => emit("open-rotation", null));
    const dialog = await screen.findByRole("dialog", { name: "Rotation" });
    expect(within(dialog).getByText("Nothing to rotate in the next 30 days.")).toBeInTheDocument();

    // Time passed (Rust's hourly look noticed): the key is overdue now.
    fake.now += 81 * DAY;
    await act(() => emit("rotation-changed", null));
    expect(await within(dialog).findByRole("listitem", { name: "llm-eval/dev/OPENAI_API_KEY" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(button).toHaveAccessibleDescription("1 to rotate now"));
  });
});

describe("rotate dialog", () => {
  it("opens the provider page, stages, checks, promotes with an overlap, and rolls back", async () => {
    const fake = seeded();
    const { user } = renderApp();
    const dashboard = await openDashboard(user);
    await user.click(within(dashboard).getByRole("button", { name: "Rotate llm-eval/dev/OPENAI_API_KEY" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate OPENAI_API_KEY" });

    await user.click(within(dialog).getByRole("button", { name: "Open OpenAI key page" }));
    expect(fake.openedPages).toEqual(["openai"]);
    expect(within(dialog).getByText("https://platform.openai.com/api-keys")).toBeInTheDocument();

    const value = within(dialog).getByLabelText("New value");
    expect(value).toHaveAttribute("type", "password");
    // Stage refuses an empty value without asking Rust.
    await user.click(within(dialog).getByRole("button", { name: "Stage" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter the new value.");
    expect(fake.called("stage_rotation")).toHaveLength(0);

    await user.type(value, NEW_KEY);
    const saveCheck = within(dialog).getByLabelText("Save check");
    expect(saveCheck).toBeDisabled();
    await user.type(within(dialog).getByLabelText("Check command"), 'test -n "$OPENAI_API_KEY"');
    await user.click(saveCheck);
    await user.click(within(dialog).getByRole("button", { name: "Stage" }));

    expect(await within(dialog).findByText("Check passed.")).toBeInTheDocument();
    expect(fake.called("stage_rotation")[0]?.args).toEqual({
      rotation: { path: "llm-eval/dev/OPENAI_API_KEY", value: { type: "text", text: NEW_KEY } },
    });
    expect(fake.called("check_rotation")[0]?.args).toEqual({
      path: "llm-eval/dev/OPENAI_API_KEY",
      command: 'test -n "$OPENAI_API_KEY"',
      save: true,
    });
    expect(summary(fake, "llm-eval/dev/OPENAI_API_KEY").check_command).toBe('test -n "$OPENAI_API_KEY"');
    expect(within(dialog).getByText("v2 is staged. v1 stays current until you promote.")).toBeInTheDocument();
    // The typed value is gone from the page once Rust has it.
    expect(document.body.innerHTML).not.toContain(NEW_KEY);
    // The dashboard behind shows the pending version.
    expect(within(dashboard).getByRole("listitem", { name: "llm-eval/dev/OPENAI_API_KEY" })).toHaveTextContent("v2 pending");

    const overlap = within(dialog).getByLabelText("Overlap");
    expect(overlap).toHaveValue("24h");
    await user.clear(overlap);
    await user.type(overlap, "48h");
    await user.click(within(dialog).getByRole("button", { name: "Promote" }));

    expect(await within(dialog).findByText("v2 of llm-eval/dev/OPENAI_API_KEY is current.")).toBeInTheDocument();
    expect(fake.called("promote_rotation")[0]?.args).toEqual({ path: "llm-eval/dev/OPENAI_API_KEY", version: 2, overlap: "48h" });
    expect(screen.getByText(/^Promoted llm-eval\/dev\/OPENAI_API_KEY: v2 is current\. The old value stays readable until/)).toBeInTheDocument();
    // It left the overdue list; only the exposed one is left to rotate now.
    await waitFor(() => expect(within(dashboard).queryByRole("list", { name: "Overdue" })).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Rotation" })).toHaveAccessibleDescription("1 to rotate now");

    await user.click(within(dialog).getByRole("button", { name: "Roll back" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Rotate OPENAI_API_KEY" })).not.toBeInTheDocument());
    expect(fake.called("rollback_rotation")[0]?.args).toEqual({ path: "llm-eval/dev/OPENAI_API_KEY" });
    expect(screen.getByText("Rolled back llm-eval/dev/OPENAI_API_KEY: v1 is current again.")).toBeInTheDocument();
    expect(fake.called("open_provider_page")).toHaveLength(1);
  });

  it("blocks promotion after a failed check until the check passes; Discard pending starts over", async () => {
    const fake = seeded();
    fake.checkPasses = () => false;
    const { user } = renderApp();
    const dashboard = await openDashboard(user);
    await user.click(within(dashboard).getByRole("button", { name: "Rotate llm-eval/dev/OPENAI_API_KEY" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate OPENAI_API_KEY" });
    await user.type(within(dialog).getByLabelText("New value"), "not-a-key");
    await user.type(within(dialog).getByLabelText("Check command"), "curl -sf https://api.example/v1/models");
    await user.click(within(dialog).getByRole("button", { name: "Stage" }));

    const result = await within(dialog).findByRole("status", { name: "Check result" });
    expect(result).toHaveTextContent("Check failed (exit 1). Promotion is blocked");
    expect(within(dialog).getByText("This may not be a OpenAI key: OpenAI keys start with sk-.")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Promote" })).toBeDisabled();
    // Not saved: the box was left unticked.
    expect(fake.called("check_rotation")[0]?.args).toMatchObject({ save: false });

    // The provider was down: the same check passes on a second run.
    fake.checkPasses = () => true;
    await user.click(within(dialog).getByRole("button", { name: "Run check again" }));
    await waitFor(() => expect(result).toHaveTextContent("Check passed."));
    expect(within(dialog).getByRole("button", { name: "Promote" })).toBeEnabled();

    await user.click(within(dialog).getByRole("button", { name: "Discard pending" }));
    expect(await within(dialog).findByLabelText("New value")).toHaveValue("");
    expect(fake.called("cancel_rotation")[0]?.args).toEqual({ path: "llm-eval/dev/OPENAI_API_KEY" });
    expect(summary(fake, "llm-eval/dev/OPENAI_API_KEY").pending_version).toBeNull();
    expect(screen.getByText("Discarded pending v2 of llm-eval/dev/OPENAI_API_KEY.")).toBeInTheDocument();
  });

  it("from a secret's detail: resumes a version staged from the CLI, with its failed check and the saved check", async () => {
    const fake = installFake();
    const detailPath = "llm-eval/dev/OPENAI_API_KEY";
    const stored = fake.projects.get("llm-eval")?.get("dev")?.get("OPENAI_API_KEY");
    if (!stored) throw new Error("seed");
    stored.pending = { value: "sk-proj-FAKEstagedByCli0000000000", version: 2, check: "failed" };
    Object.assign(stored.summary, { pending_version: 2, check_command: "./check-openai.sh" });
    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/dev");
    await user.click(within(list).getByRole("button", { name: "OPENAI_API_KEY" }));
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByText("v2 pending")).toBeInTheDocument();

    await user.click(within(detail).getByRole("button", { name: "Rotate" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate OPENAI_API_KEY" });
    expect(within(dialog).getByText("v2 is staged. v1 stays current until you promote.")).toBeInTheDocument();
    expect(await within(dialog).findByRole("status", { name: "Check result" })).toHaveTextContent("Check failed");
    expect(within(dialog).getByRole("button", { name: "Promote" })).toBeDisabled();
    expect(within(dialog).getByLabelText("Saved check")).toHaveTextContent("./check-openai.sh");
    expect(within(dialog).getByLabelText("Check command")).toHaveAccessibleDescription(/Empty: runs the saved check/);

    // The saved check runs when no command is typed.
    await user.click(within(dialog).getByRole("button", { name: "Run check again" }));
    await waitFor(() => expect(within(dialog).getByRole("status", { name: "Check result" })).toHaveTextContent("Check passed."));
    expect(fake.called("check_rotation")[0]?.args).toEqual({ path: detailPath, command: null, save: false });
    await user.click(within(dialog).getByRole("button", { name: "Promote" }));
    expect(await within(dialog).findByText(`v2 of ${detailPath} is current.`)).toBeInTheDocument();
    expect(fake.called("promote_rotation")[0]?.args).toEqual({ path: detailPath, version: 2, overlap: "24h" });
    await user.click(within(dialog).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog", { name: "Rotate OPENAI_API_KEY" })).not.toBeInTheDocument();
    // The list was read again: the detail shows the new version and the overlap.
    await waitFor(() => expect(within(detail).getByText("v2")).toBeInTheDocument());
    expect(within(detail).getByText(/^Readable until/)).toBeInTheDocument();
  });

  it("keeps Promote off until a saved check has passed on the pending version", async () => {
    const fake = installFake();
    const stored = fake.projects.get("llm-eval")?.get("dev")?.get("HF_TOKEN");
    if (!stored) throw new Error("seed");
    stored.pending = { value: "hf_FAKEstagedByCli000000000000", version: 2, check: null };
    Object.assign(stored.summary, { pending_version: 2, check_command: "./check-hf.sh" });
    const { user } = renderApp();
    const dashboard = await openDashboard(user);
    await user.click(within(dashboard).getByRole("button", { name: "Rotate llm-eval/dev/HF_TOKEN" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate HF_TOKEN" });
    expect(within(dialog).getByText("This secret has a saved check: run it before promoting.")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Promote" })).toBeDisabled();
    await user.click(within(dialog).getByRole("button", { name: "Run check" }));
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Promote" })).toBeEnabled());
    await user.click(within(dialog).getByRole("button", { name: "Promote" }));
    expect(await within(dialog).findByText("v2 of llm-eval/dev/HF_TOKEN is current.")).toBeInTheDocument();
  });

  it("offers Roll back while the previous value is readable, and says why Rust refuses", async () => {
    const fake = installFake();
    const stored = fake.projects.get("llm-eval")?.get("prod")?.get("DATABASE_URL");
    if (!stored) throw new Error("seed");
    stored.values.push("postgres://eval:FAKEnewpw@db.internal:5432/eval");
    stored.previous = { value: stored.values[0] ?? "", version: 1 };
    Object.assign(stored.summary, { version: 2, previous_until: fake.now + 3600 });
    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/prod");
    await user.click(within(list).getByRole("button", { name: "DATABASE_URL" }));
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    await user.click(within(detail).getByRole("button", { name: "Rotate" }));
    const dialog = screen.getByRole("dialog", { name: "Rotate DATABASE_URL" });
    // No provider page for a database URL.
    expect(within(dialog).queryByRole("button", { name: /key page/ })).not.toBeInTheDocument();
    expect(within(dialog).getByText(/The value before the last rotation stays readable until/)).toBeInTheDocument();

    // The overlap ended meanwhile: Rust's refusal is shown in the dialog.
    fake.now += 2 * 3600;
    await user.click(within(dialog).getByRole("button", { name: "Roll back" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Llm-eval/prod/DATABASE_URL has no previous version inside its overlap window: nothing to roll back to",
    );
  });
});

describe("tray setting", () => {
  it("is off by default and saved with the other settings", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = screen.getByRole("dialog", { name: "Settings" });
    const keep = await within(dialog).findByLabelText("Keep running in the tray");
    expect(keep).not.toBeChecked();
    expect(keep).toHaveAccessibleDescription(/rotation reminders keep coming/);
    await user.click(keep);
    await user.click(within(dialog).getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Settings" })).not.toBeInTheDocument());
    expect(fake.tray).toEqual({ keep_in_tray: true });
  });
});
