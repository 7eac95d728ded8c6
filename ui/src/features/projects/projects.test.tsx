import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake } from "../../test/fake";
import { renderApp } from "../../test/render";

describe("projects", () => {
  it("adds a project with comma-separated environments and selects its first one", async () => {
    const fake = installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });

    await user.click(screen.getByRole("button", { name: "Add project" }));
    const dialog = screen.getByRole("dialog", { name: "Add project" });
    expect(within(dialog).getByLabelText("Environments")).toHaveValue("dev, prod");
    await user.type(within(dialog).getByLabelText("Project name"), "rag-bot");
    await user.clear(within(dialog).getByLabelText("Environments"));
    await user.type(within(dialog).getByLabelText("Environments"), "staging, prod, ,staging");
    await user.click(within(dialog).getByRole("button", { name: "Create project" }));

    expect(fake.called("add_project")[0]?.args).toEqual({ name: "rag-bot", environments: ["staging", "prod"] });
    const staging = await screen.findByRole("button", { name: "rag-bot/staging" });
    await waitFor(() => expect(staging).toHaveAttribute("aria-current", "true"));
    expect(await screen.findByText("No secrets in this environment yet")).toBeInTheDocument();
  });

  it("shows a duplicate project's error in the dialog", async () => {
    installFake();
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    await user.click(screen.getByRole("button", { name: "Add project" }));
    const dialog = screen.getByRole("dialog", { name: "Add project" });
    await user.type(within(dialog).getByLabelText("Project name"), "llm-eval{Enter}");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Project llm-eval already exists");
  });

  it("adds an environment to a project, and the tree folds with the keyboard", async () => {
    const fake = installFake();
    const { user } = renderApp();
    const nav = await screen.findByRole("navigation", { name: "Projects" });
    await within(nav).findByRole("button", { name: "training/dev" });

    await user.click(within(nav).getByRole("button", { name: "Add environment to training" }));
    const dialog = screen.getByRole("dialog", { name: "Add environment" });
    await user.type(within(dialog).getByLabelText("Environment name"), "staging");
    await user.click(within(dialog).getByRole("button", { name: "Create environment" }));
    expect(fake.called("add_environment")[0]?.args).toEqual({ project: "training", environment: "staging" });
    expect(await within(nav).findByRole("button", { name: "training/staging" })).toHaveAttribute("aria-current", "true");

    const training = within(nav).getAllByRole("treeitem")[1]!;
    expect(training).toHaveAttribute("aria-expanded", "true");
    within(training).getByRole("button", { name: "training" }).focus();
    await user.keyboard("{ArrowLeft}");
    expect(training).toHaveAttribute("aria-expanded", "false");
    expect(within(nav).queryByRole("button", { name: "training/dev" })).not.toBeInTheDocument();
    await user.keyboard("{ArrowRight}{ArrowDown}");
    expect(within(nav).getByRole("button", { name: "training/dev" })).toHaveFocus();
  });
});
