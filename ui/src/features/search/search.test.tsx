import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake } from "../../test/fake";
import { renderApp } from "../../test/render";

describe("search", () => {
  it("opens with Ctrl+K, moves with the arrow keys and opens the chosen secret in its scope", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });

    await user.keyboard("{Control>}k{/Control}");
    const dialog = await screen.findByRole("dialog", { name: "Search secrets" });
    const input = within(dialog).getByLabelText("Search");
    expect(input).toHaveFocus();

    await user.type(input, "openai");
    const options = await within(dialog).findAllByRole("option");
    expect(options.map((o) => o.getAttribute("aria-label"))).toEqual([
      "llm-eval/dev/OPENAI_API_KEY",
      "llm-eval/prod/OPENAI_API_KEY",
    ]);
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    expect(fake.called("search_secrets").at(-1)?.args).toEqual({ query: "openai" });

    await user.keyboard("{ArrowDown}");
    expect(within(dialog).getByRole("option", { name: "llm-eval/prod/OPENAI_API_KEY" })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}"); // wraps around
    expect(within(dialog).getByRole("option", { name: "llm-eval/dev/OPENAI_API_KEY" })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowUp}{Enter}");

    expect(screen.queryByRole("dialog", { name: "Search secrets" })).not.toBeInTheDocument();
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByText("llm-eval/prod/OPENAI_API_KEY")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "llm-eval/prod" })).toHaveAttribute("aria-current", "true");
    const list = screen.getByRole("list", { name: "Secrets" });
    expect(within(list).getByRole("button", { name: "DATABASE_URL" })).toBeInTheDocument();
  });

  it("opens from the Search button, answers Enter typed before the debounce, and closes on Escape", async () => {
    installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });

    await user.click(screen.getByRole("button", { name: "Search" }));
    let dialog = screen.getByRole("dialog", { name: "Search secrets" });
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Search secrets" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Search" }));
    dialog = screen.getByRole("dialog", { name: "Search secrets" });
    await user.type(within(dialog).getByLabelText("Search"), "wandb{Enter}");
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Search secrets" })).not.toBeInTheDocument());
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByRole("heading", { name: "WANDB_API_KEY" })).toBeInTheDocument();
  });

  it("says so when nothing matches", async () => {
    installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.keyboard("{Meta>}k{/Meta}");
    const dialog = await screen.findByRole("dialog", { name: "Search secrets" });
    await user.type(within(dialog).getByLabelText("Search"), "nothing-like-this");
    expect(await within(dialog).findByText("No secrets match “nothing-like-this”.")).toBeInTheDocument();
    expect(within(dialog).queryAllByRole("option")).toHaveLength(0);
  });
});
