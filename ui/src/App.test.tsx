import { act, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { IDLE_LOCK_MS } from "./config";
import { installFake } from "./test/fakeBackend";
import { openScope, renderApp } from "./test/render";

afterEach(() => {
  vi.useRealTimers();
});

describe("locking", () => {
  it("locks after 10 minutes without activity; activity restarts the clock", async () => {
    expect(IDLE_LOCK_MS).toBe(10 * 60 * 1000);
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fake = installFake();
    const { user } = renderApp();
    const list = await openScope(user, "llm-eval/prod");
    await user.click(within(list).getByRole("button", { name: "OPENAI_API_KEY" }));
    expect(await screen.findByRole("region", { name: "Secret detail" })).toBeInTheDocument();

    // Activity restarts the clock.
    act(() => vi.advanceTimersByTime(IDLE_LOCK_MS - 60_000));
    await user.keyboard("{Shift}");
    act(() => vi.advanceTimersByTime(IDLE_LOCK_MS - 60_000));
    expect(screen.getByRole("navigation", { name: "Projects" })).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(60_000 + 1000));
    expect(await screen.findByRole("heading", { name: "Unlock Keyshelf" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Secret detail" })).not.toBeInTheDocument();
    expect(fake.called("lock")).toHaveLength(1);
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
});
