import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import * as api from "../../api";
import { ToastProvider, useToast } from "../../components/Toast";
import { installFake } from "../../test/fake";
import { renderApp } from "../../test/render";
import { retryDelay } from "./ServerBanner";

const SERVER = "db.example.com:5432/keyshelf";

/** Lets the fake's answers and React's updates run, under fake timers. */
async function settle() {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

async function tick(seconds: number) {
  for (let i = 0; i < seconds; i++) {
    act(() => vi.advanceTimersByTime(1000));
    await settle();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("team server unreachable", () => {
  it("backs off 2, 4, 8, … up to 60 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9].map(retryDelay)).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it("shows a banner instead of a toast, counts down, retries, and goes when the server answers", async () => {
    const fake = installFake({ unlocked: true });
    renderApp();
    const nav = await screen.findByRole("navigation", { name: "Projects" });
    const scope = await within(nav).findByRole("button", { name: "llm-eval/dev" });

    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    fake.unreachable = SERVER;
    fireEvent.click(scope);
    await settle();

    const banner = screen.getByRole("alert", { name: "Team server unreachable" });
    expect(banner).toHaveTextContent(`Cannot reach the team server ${SERVER}. Retrying in 2s.`);
    // No toast says it again (the list's own pane may).
    expect(document.querySelector(".toast-region")).toBeEmptyDOMElement();

    const statusCalls = () => fake.called("vault_status").length;
    const before = statusCalls();
    await tick(1);
    expect(banner).toHaveTextContent("Retrying in 1s.");
    await tick(1);
    expect(statusCalls()).toBe(before + 1);
    // Still down: the next wait doubles.
    expect(screen.getByRole("alert", { name: "Team server unreachable" })).toHaveTextContent("Retrying in 4s.");
    await tick(4);
    expect(statusCalls()).toBe(before + 2);
    expect(screen.getByRole("alert", { name: "Team server unreachable" })).toHaveTextContent("Retrying in 8s.");

    // Retry now, from the keyboard, once the server is back.
    fake.unreachable = null;
    const retry = screen.getByRole("button", { name: "Retry now" });
    retry.focus();
    expect(retry).toHaveFocus();
    const lists = fake.called("list_projects").length;
    fireEvent.click(retry);
    await settle();
    expect(statusCalls()).toBe(before + 3);
    expect(screen.queryByRole("alert", { name: "Team server unreachable" })).not.toBeInTheDocument();
    // The browser re-read what it shows.
    expect(fake.called("list_projects").length).toBeGreaterThan(lists);
    vi.useRealTimers();
    expect(await screen.findByRole("list", { name: "Secrets" })).toBeInTheDocument();
  });

  it("starts over when the server answers after the app could not open the vault", async () => {
    const fake = installFake();
    fake.unreachable = SERVER;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    renderApp();
    await settle();

    expect(screen.getByRole("alert", { name: "Team server unreachable" })).toHaveTextContent(
      `Cannot reach the team server ${SERVER}. Retrying in 2s.`,
    );
    fake.unreachable = null;
    await tick(2);
    expect(screen.queryByRole("alert", { name: "Team server unreachable" })).not.toBeInTheDocument();
    await settle();
    vi.useRealTimers();
    // Back at start: the keychain unlock opens the vault.
    expect(await screen.findByRole("navigation", { name: "Projects" })).toBeInTheDocument();
  });

  it("drops an error toast that the banner already says, and no other", async () => {
    const fake = installFake();
    fake.unreachable = SERVER;
    let toast: ReturnType<typeof useToast> | null = null;
    function Grab() {
      toast = useToast();
      return null;
    }
    render(
      <ToastProvider>
        <Grab />
      </ToastProvider>,
    );
    const message = await api.vaultStatus().then(
      () => "",
      (e: unknown) => api.errorMessage(e),
    );
    expect(api.isServerUnreachableMessage(message)).toBe(true);
    act(() => toast?.show(message, "error"));
    act(() => toast?.show("Something else failed.", "error"));
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toEqual(["Something else failed."]);
    act(() => api.serverAnswered());
    expect(api.isServerUnreachableMessage(message)).toBe(false);
  });
});
