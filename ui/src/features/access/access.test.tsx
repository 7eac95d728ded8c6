import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ACCESS_POLL_MS } from "../../config";
import { installFake } from "../../test/fake";
import { openScope, renderApp } from "../../test/render";

const DAY = 86_400;

afterEach(() => {
  vi.useRealTimers();
});

async function openInbox(user: ReturnType<typeof renderApp>["user"]) {
  await user.click(await screen.findByRole("button", { name: "Access requests" }));
  return screen.getByRole("dialog", { name: "Access requests" });
}

describe("locked scopes", () => {
  it("locks what my_scopes leaves out, and sends a request for it", async () => {
    const fake = installFake();
    fake.me = "linus";
    const { user } = renderApp();
    const nav = await screen.findByRole("navigation", { name: "Projects" });

    const locked = await within(nav).findByRole("button", { name: "training/prod" });
    await waitFor(() => expect(locked).toHaveAccessibleDescription("No access"));
    expect(within(nav).getByRole("button", { name: "llm-eval/dev" })).not.toHaveAccessibleDescription();

    await user.click(locked);
    expect(await screen.findByText("You have no access to training/prod.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add secret" })).toBeDisabled();
    // Linus is a plain member: no inbox, and nothing listed that Rust would refuse.
    expect(screen.queryByRole("button", { name: "Access requests" })).not.toBeInTheDocument();
    expect(fake.called("list_secrets").map((c) => c.args)).not.toContainEqual({ project: "training", environment: "prod" });

    await user.click(screen.getByRole("button", { name: "Request access" }));
    const dialog = screen.getByRole("dialog", { name: "Request access" });
    const reason = within(dialog).getByLabelText("Reason");
    expect(reason).toHaveFocus();
    const duration = within(dialog).getByLabelText("Duration");
    expect(duration).toHaveAttribute("placeholder", "until revoked");
    expect(duration).toHaveAccessibleDescription("Like 8h or 7d. Empty: until revoked.");

    // The reason is required: nothing is sent without one.
    await user.click(within(dialog).getByRole("button", { name: "Send request" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter a reason");
    expect(fake.called("request_access")).toHaveLength(0);

    await user.type(reason, "Fine-tuning run on the prod set");
    await user.type(duration, "8h");
    await user.click(within(dialog).getByRole("button", { name: "Send request" }));

    expect(fake.called("request_access")[0]?.args).toEqual({
      scope: "training/prod",
      reason: "Fine-tuning run on the prod set",
      duration: "8h",
    });
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Request access" })).not.toBeInTheDocument());
    expect(screen.getByText("Request sent. A lead of training decides.")).toBeInTheDocument();
    const id = fake.requests[0]?.id ?? "";
    expect(await screen.findByText(`Request ${id} is waiting for a decision.`)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Request access" })).not.toBeInTheDocument();
  });

  it("sends an empty duration as null (until revoked) and closes on Escape", async () => {
    const fake = installFake();
    fake.me = "linus";
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "training/dev" }));
    await user.click(await screen.findByRole("button", { name: "Request access" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Request access" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Request access" })).toHaveFocus();

    await user.click(screen.getByRole("button", { name: "Request access" }));
    await user.type(screen.getByLabelText("Reason"), "W&B sweep");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    await waitFor(() => expect(fake.called("request_access")).toHaveLength(1));
    expect(fake.called("request_access")[0]?.args).toEqual({ scope: "training/dev", reason: "W&B sweep", duration: null });
  });

  it("opens a scope once access is granted, when the window regains focus", async () => {
    const fake = installFake();
    fake.me = "linus";
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "training/dev" }));
    await screen.findByText("You have no access to training/dev.");

    fake.grant("linus", "training/dev");
    fireEvent.focus(window);
    const list = await screen.findByRole("list", { name: "Secrets" });
    expect(within(list).getByRole("button", { name: "WANDB_API_KEY" })).toBeInTheDocument();
  });
});

describe("access requests inbox", () => {
  it("counts verified pending requests the member may decide, and approves with an edited duration", async () => {
    const fake = installFake();
    const asked = fake.addRequest("linus", "training/dev", "Sweep over the new data", { durationSecs: 7 * DAY });
    fake.addRequest("mallory", "llm-eval/prod", "Trust me", { problem: "signature does not verify" });
    fake.addRequest("ada", "training/prod", "My own ask"); // nobody decides their own request
    const { user } = renderApp();

    const button = await screen.findByRole("button", { name: "Access requests" });
    await waitFor(() => expect(button).toHaveAccessibleDescription("1 pending"));
    expect(button).toHaveTextContent("1");

    const dialog = await openInbox(user);
    const item = within(dialog).getByRole("listitem", { name: "linus for training/dev" });
    expect(item).toHaveTextContent("Sweep over the new data");
    expect(item).toHaveTextContent("for 7d");
    expect(within(dialog).queryByRole("listitem", { name: "ada for training/prod" })).not.toBeInTheDocument();

    const duration = within(item).getByLabelText("Duration");
    expect(duration).toHaveValue("7d");
    await user.clear(duration);
    await user.type(duration, "3d");
    await user.click(within(item).getByRole("button", { name: "Approve" }));

    expect(fake.called("approve_access")[0]?.args).toEqual({ id: asked.id, duration: "3d" });
    expect(await screen.findByText("Approved: linus can read training/dev.")).toBeInTheDocument();
    expect(within(dialog).queryByRole("listitem", { name: "linus for training/dev" })).not.toBeInTheDocument();
    await waitFor(() => expect(button).not.toHaveAccessibleDescription());
    expect(fake.scopesOf("linus")).toContain("training/dev");
    expect(fake.requests.find((r) => r.id === asked.id)?.expires_at).toBe(fake.now + 3 * DAY);
  });

  it("requires a reason before denying", async () => {
    const fake = installFake();
    const asked = fake.addRequest("linus", "training/prod", "Debugging a prod job", { durationSecs: 8 * 3600 });
    const { user } = renderApp();
    const dialog = await openInbox(user);
    const item = within(dialog).getByRole("listitem", { name: "linus for training/prod" });

    await user.click(within(item).getByRole("button", { name: "Deny" }));
    expect(within(item).getByLabelText("Reason for denying")).toHaveFocus();
    await user.click(within(item).getByRole("button", { name: "Cancel" }));
    expect(within(item).getByRole("button", { name: "Deny" })).toHaveFocus();
    await user.click(within(item).getByRole("button", { name: "Deny" }));
    const reason = within(item).getByLabelText("Reason for denying");
    await user.click(within(item).getByRole("button", { name: "Deny request" }));
    expect(within(item).getByRole("alert")).toHaveTextContent("Enter a reason for denying");
    expect(fake.called("deny_access")).toHaveLength(0);

    await user.type(reason, "Use the staging copy");
    await user.click(within(item).getByRole("button", { name: "Deny request" }));
    expect(fake.called("deny_access")[0]?.args).toEqual({ id: asked.id, reason: "Use the staging copy" });
    expect(await screen.findByText("Denied linus's request.")).toBeInTheDocument();
    expect(await within(dialog).findByText("No requests are waiting for a decision.")).toBeInTheDocument();
    expect(fake.requests[0]?.status).toBe("denied");
  });

  it("shows an unverified request's problem and offers no Approve", async () => {
    const fake = installFake();
    fake.addRequest("mallory", "llm-eval/prod", "Trust me", { problem: "signature does not verify" });
    const { user } = renderApp();
    const button = await screen.findByRole("button", { name: "Access requests" });
    // Listed, but not counted: it is not work to do.
    await waitFor(() => expect(fake.called("list_access_requests").length).toBeGreaterThan(0));
    expect(button).not.toHaveAccessibleDescription();

    const dialog = await openInbox(user);
    const item = await within(dialog).findByRole("listitem", { name: "mallory for llm-eval/prod" });
    expect(item).toHaveTextContent("Failed verification: signature does not verify");
    expect(within(item).queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(within(item).queryByLabelText("Duration")).not.toBeInTheDocument();
  });

  it("reads afresh when the inbox opens, without waiting for the poll", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("button", { name: "Access requests" });
    await waitFor(() => expect(fake.called("list_access_requests")).toHaveLength(1));
    fake.addRequest("linus", "llm-eval/prod", "e2e eval run", { durationSecs: 3600 });

    const dialog = await openInbox(user);
    const item = await within(dialog).findByRole("listitem", { name: "linus for llm-eval/prod" });
    expect(within(item).getByLabelText("Duration")).toHaveValue("1h");
  });

  it("shows a lead only the requests for projects they lead", async () => {
    const fake = installFake();
    fake.me = "grace";
    fake.addRequest("linus", "training/dev", "Not grace's project");
    fake.addRequest("linus", "llm-eval/prod", "Grace leads this one");
    const { user } = renderApp();
    const button = await screen.findByRole("button", { name: "Access requests" });
    await waitFor(() => expect(button).toHaveAccessibleDescription("1 pending"));
    const dialog = await openInbox(user);
    expect(within(dialog).getAllByRole("listitem")).toHaveLength(1);
    expect(within(dialog).getByRole("listitem", { name: "linus for llm-eval/prod" })).toBeInTheDocument();
  });

  it("refreshes the badge at once when Rust says access changed", async () => {
    const fake = installFake();
    renderApp();
    const button = await screen.findByRole("button", { name: "Access requests" });
    await waitFor(() => expect(fake.called("list_access_requests")).toHaveLength(1));
    expect(button).not.toHaveAccessibleDescription();

    // Another device sent a request; Rust's watcher noticed (and notified the desktop).
    fake.addRequest("linus", "training/dev", "Sweep over the new data");
    await act(() => fake.emitAccessChanged());
    await waitFor(() => expect(button).toHaveAccessibleDescription("1 pending"));
    expect(fake.called("list_access_requests")).toHaveLength(2);

    // Locked, the browser is gone: the event reads nothing.
    await userEventLock();
    const reads = fake.called("list_access_requests").length;
    await act(() => fake.emitAccessChanged());
    expect(fake.called("list_access_requests")).toHaveLength(reads);
  });

  it("polls the pending count every 60 s while unlocked, and on focus", async () => {
    expect(ACCESS_POLL_MS).toBe(60_000);
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const fake = installFake();
    const { user } = renderApp();
    const button = await screen.findByRole("button", { name: "Access requests" });
    await waitFor(() => expect(fake.called("list_access_requests")).toHaveLength(1));
    expect(fake.called("list_access_requests")[0]?.args).toEqual({ pendingOnly: true });

    fake.addRequest("linus", "training/dev", "New one");
    await act(() => vi.advanceTimersByTimeAsync(ACCESS_POLL_MS - 1));
    expect(fake.called("list_access_requests")).toHaveLength(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    await waitFor(() => expect(button).toHaveAccessibleDescription("1 pending"));

    fake.addRequest("grace", "training/prod", "Another");
    fireEvent.focus(window);
    await waitFor(() => expect(button).toHaveAccessibleDescription("2 pending"));

    await user.click(screen.getByRole("button", { name: "Lock" }));
    await screen.findByRole("heading", { name: "Unlock Keyshelf" });
    const polls = fake.called("list_access_requests").length;
    await act(() => vi.advanceTimersByTimeAsync(3 * ACCESS_POLL_MS));
    fireEvent.focus(window);
    expect(fake.called("list_access_requests")).toHaveLength(polls);
  });
});

async function userEventLock() {
  fireEvent.click(screen.getByRole("button", { name: "Lock" }));
  await screen.findByRole("heading", { name: "Unlock Keyshelf" });
}

const DORA_FINGERPRINT = "5B1C 0E92 D4A7 63F0";

function addPendingDora(fake: ReturnType<typeof installFake>) {
  fake.addMember("dora", "member", {
    status: "pending",
    fingerprint: DORA_FINGERPRINT,
    trusted: false,
    problem: "waiting to be admitted by an owner or lead",
  });
}

async function openMembers(user: ReturnType<typeof renderApp>["user"]) {
  await screen.findByRole("navigation", { name: "Projects" });
  await user.click(screen.getByRole("button", { name: "Members" }));
  return screen.getByRole("dialog", { name: "Members" });
}

describe("admitting members", () => {
  it("shows the fingerprint to compare, then admits a pending member as a lead", async () => {
    const fake = installFake();
    addPendingDora(fake);
    const { user } = renderApp();
    const members = await openMembers(user);

    const row = await within(members).findByRole("row", { name: "dora" });
    expect(row).toHaveTextContent("pending");
    expect(row).toHaveTextContent("Not until admitted");
    expect(within(row).getByText(DORA_FINGERPRINT)).toHaveClass("mono");
    // Only pending members are admitted from here.
    expect(within(members).getAllByRole("button", { name: /^Admit / })).toHaveLength(1);

    await user.click(within(row).getByRole("button", { name: "Admit dora" }));
    const dialog = screen.getByRole("dialog", { name: "Admit dora" });
    expect(dialog).toHaveTextContent("Compare this fingerprint with dora out of band");
    expect(within(dialog).getByLabelText("Fingerprint")).toHaveTextContent(DORA_FINGERPRINT);
    const role = within(dialog).getByLabelText("Role");
    expect(role).toHaveFocus();
    expect([...(role as HTMLSelectElement).options].map((o) => o.value)).toEqual(["member", "lead"]);
    expect(within(dialog).queryByLabelText("Lead of")).not.toBeInTheDocument();

    await user.selectOptions(role, "lead");
    const leadOf = within(dialog).getByLabelText("Lead of");
    expect([...(leadOf as HTMLSelectElement).options].map((o) => o.value)).toEqual(["llm-eval", "training"]);
    await user.selectOptions(leadOf, "training");
    await user.click(within(dialog).getByRole("button", { name: "Admit" }));

    expect(fake.called("admit_member")[0]?.args).toEqual({
      name: "dora",
      role: "lead",
      leadOf: ["training"],
      fingerprint: expect.any(String),
    });
    expect(await screen.findByText("Admitted dora as lead of training.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Admit dora" })).not.toBeInTheDocument();
    await waitFor(() => expect(within(members).getByRole("row", { name: "dora" })).toHaveTextContent("lead of training"));
    const admitted = within(members).getByRole("row", { name: "dora" });
    expect(admitted).toHaveTextContent("active");
    expect(admitted).not.toHaveTextContent("Not trusted");
    expect(within(members).queryByRole("button", { name: "Admit dora" })).not.toBeInTheDocument();
    // The focus stays in the dialog, on what comes next.
    await waitFor(() => expect(within(members).getByRole("button", { name: "Revoke access" })).toHaveFocus());
  });

  it("admits as a member by default, and cancels without admitting", async () => {
    const fake = installFake();
    addPendingDora(fake);
    const { user } = renderApp();
    const members = await openMembers(user);

    await user.click(await within(members).findByRole("button", { name: "Admit dora" }));
    await user.click(within(screen.getByRole("dialog", { name: "Admit dora" })).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog", { name: "Admit dora" })).not.toBeInTheDocument();
    expect(within(members).getByRole("button", { name: "Admit dora" })).toHaveFocus();
    expect(fake.called("admit_member")).toHaveLength(0);

    await user.click(within(members).getByRole("button", { name: "Admit dora" }));
    await user.click(within(screen.getByRole("dialog", { name: "Admit dora" })).getByRole("button", { name: "Admit" }));
    expect(fake.called("admit_member")[0]?.args).toEqual({
      name: "dora",
      role: "member",
      leadOf: [],
      fingerprint: expect.any(String),
    });
    expect(await screen.findByText("Admitted dora as member.")).toBeInTheDocument();
  });

  it("offers a lead only Member, and shows a refusal in the dialog", async () => {
    const fake = installFake();
    fake.me = "grace";
    addPendingDora(fake);
    const { user } = renderApp();
    const members = await openMembers(user);

    await user.click(await within(members).findByRole("button", { name: "Admit dora" }));
    const dialog = screen.getByRole("dialog", { name: "Admit dora" });
    const role = within(dialog).getByLabelText("Role");
    expect([...(role as HTMLSelectElement).options].map((o) => o.value)).toEqual(["member"]);
    expect(role).toHaveAccessibleDescription("Only the owner admits leads.");

    // Meanwhile the owner admitted her from another device: Rust refuses, the dialog says why.
    const dora = fake.roster.find((m) => m.name === "dora");
    if (dora) dora.status = "active";
    await user.click(within(dialog).getByRole("button", { name: "Admit" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Cannot admit dora: a lead admits pending members as members; ask the owner",
    );
    expect(screen.getByRole("dialog", { name: "Admit dora" })).toBeInTheDocument();
  });

  it("offers no Admit to a plain member", async () => {
    const fake = installFake();
    fake.me = "linus";
    addPendingDora(fake);
    const { user } = renderApp();
    const members = await openMembers(user);
    await within(members).findByRole("row", { name: "dora" });
    expect(within(members).queryByRole("button", { name: "Admit dora" })).not.toBeInTheDocument();
    expect(within(members).queryByRole("columnheader", { name: "Actions" })).not.toBeInTheDocument();
  });
});

describe("members", () => {
  it("lists roles, statuses, fingerprints and an untrusted member's problem", async () => {
    installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Members" }));
    const dialog = screen.getByRole("dialog", { name: "Members" });

    const grace = await within(dialog).findByRole("row", { name: "grace" });
    expect(grace).toHaveTextContent("lead of llm-eval");
    expect(grace).toHaveTextContent("active");
    const fingerprint = within(grace).getByText("B7E0 55C2 0A9F 3D18");
    expect(fingerprint).toHaveClass("mono");
    expect(within(dialog).getByRole("row", { name: "ada" })).toHaveTextContent("owner");
    expect(within(dialog).getByRole("row", { name: "mallory" })).toHaveTextContent(
      "Not trusted: admission signature does not verify",
    );
    expect(grace).not.toHaveTextContent("Not trusted");

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Members" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Members" })).toHaveFocus();
  });

  it("offers no revocation to a plain member", async () => {
    const fake = installFake();
    fake.me = "linus";
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Members" }));
    const dialog = screen.getByRole("dialog", { name: "Members" });
    await within(dialog).findByRole("row", { name: "grace" });
    expect(within(dialog).queryByRole("button", { name: "Revoke access" })).not.toBeInTheDocument();
  });

  it("previews a revocation, then revokes and flags what the member read as exposed", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Members" }));
    const members = screen.getByRole("dialog", { name: "Members" });

    await user.click(await within(members).findByRole("button", { name: "Revoke access" }));
    await user.selectOptions(within(members).getByLabelText("Member"), "linus");
    const scope = within(members).getByLabelText("Scope");
    expect([...(scope as HTMLSelectElement).options].map((o) => o.value)).toEqual([
      "llm-eval/dev",
      "llm-eval/prod",
      "training/dev",
      "training/prod",
    ]);
    await user.selectOptions(scope, "llm-eval/prod");
    await user.click(within(members).getByRole("button", { name: "Review revocation" }));

    const confirm = await screen.findByRole("dialog", { name: "Revoke access" });
    expect(fake.called("preview_revoke")[0]?.args).toEqual({ member: "linus", scope: "llm-eval/prod" });
    expect(fake.called("revoke_access")).toHaveLength(0);
    expect(confirm).toHaveTextContent(
      "Revoking linus's access to llm-eval/prod rekeys it: 2 versions are re-encrypted under a new key; ada, grace keep access.",
    );
    expect(confirm).toHaveTextContent(
      "linus read OPENAI_API_KEY: these become 'exposed' and must be rotated at the provider.",
    );
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();

    await user.click(within(confirm).getByRole("button", { name: "Revoke" }));
    expect(fake.called("revoke_access")[0]?.args).toEqual({ member: "linus", scope: "llm-eval/prod" });
    expect(await screen.findByText("Revoked linus's access to llm-eval/prod.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Revoke access" })).not.toBeInTheDocument();
    expect(fake.scopesOf("linus")).toEqual(["llm-eval/dev"]);
    expect(within(members).getByRole("button", { name: "Revoke access" })).toHaveFocus();

    await user.keyboard("{Escape}");
    const list = await openScope(user, "llm-eval/prod");
    const row = await within(list).findByRole("button", { name: "OPENAI_API_KEY" });
    expect(row).toHaveTextContent("Exposed");
    expect(within(list).getByRole("button", { name: "DATABASE_URL" })).not.toHaveTextContent("Exposed");
    await user.click(row);
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(detail).toHaveTextContent(
      "Exposed: read by linus before their access to llm-eval/prod ended. Rotate it at the provider.",
    );
  });

  it("shows a refused preview in the form", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Members" }));
    const members = screen.getByRole("dialog", { name: "Members" });
    await user.click(await within(members).findByRole("button", { name: "Revoke access" }));
    await user.selectOptions(within(members).getByLabelText("Member"), "linus");
    await user.selectOptions(within(members).getByLabelText("Scope"), "training/dev");
    await user.click(within(members).getByRole("button", { name: "Review revocation" }));
    expect(await within(members).findByRole("alert")).toHaveTextContent("linus has no access to training/dev");
    expect(screen.queryByRole("dialog", { name: "Revoke access" })).not.toBeInTheDocument();
    expect(fake.called("revoke_access")).toHaveLength(0);
  });
});
