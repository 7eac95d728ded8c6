import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { DEFAULT_LOCATION, installFake } from "../../test/fake";
import { renderApp } from "../../test/render";

const PASSWORD = "s3cret-pw-in-url";

describe("first run: use a team server", () => {
  it("accepts a postgres:// URL, shows the server as the location, and never the password", async () => {
    const fake = installFake({ exists: false, seed: false });
    const { user } = renderApp();

    expect(await screen.findByRole("heading", { name: "Create your team vault" })).toBeInTheDocument();
    expect(screen.getByText(DEFAULT_LOCATION)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use a team server" }));
    const group = screen.getByRole("group", { name: "Team server" });
    expect(within(group).getByText(/kept in the OS keychain/)).toBeInTheDocument();

    const url = `postgres://ada:${PASSWORD}@db.example.com:5432/keyshelf?sslmode=require`;
    await user.type(within(group).getByLabelText("Team server URL"), url);
    await user.click(within(group).getByRole("button", { name: "Use this server" }));

    expect(await screen.findByText("postgres://ada@db.example.com:5432/keyshelf?sslmode=require")).toBeInTheDocument();
    expect(fake.called("set_vault_location")[0]?.args).toEqual({ location: url, password: null });
    expect(fake.location).toBe(url);
    // The server has no vault yet: still first run, now creating it there.
    expect(screen.getByRole("heading", { name: "Create your team vault" })).toBeInTheDocument();
    expect(screen.getByText(/The team server has no vault yet/)).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(PASSWORD);
    for (const input of document.querySelectorAll("input")) expect(input.value).not.toContain(PASSWORD);

    // And back to the file on this device.
    await user.click(screen.getByRole("button", { name: "Use a file on this device instead" }));
    expect(await screen.findByText(DEFAULT_LOCATION)).toBeInTheDocument();
    expect(fake.called("set_vault_location")[1]?.args).toEqual({ location: "", password: null });
  });

  it("asks for the database password the server wants, and keeps it out of the page", async () => {
    const fake = installFake({ exists: false, seed: false });
    fake.serverPassword = PASSWORD;
    const { user } = renderApp();

    await user.click(await screen.findByRole("button", { name: "Use a team server" }));
    const group = screen.getByRole("group", { name: "Team server" });
    const url = "postgres://ada@db.example.com:5432/keyshelf";
    await user.type(within(group).getByLabelText("Team server URL"), url);
    await user.click(within(group).getByRole("button", { name: "Use this server" }));
    expect(await within(group).findByRole("alert")).toHaveTextContent(/refused the login of ada: it needs a password/);

    await user.type(within(group).getByLabelText("Team server URL"), url);
    await user.type(within(group).getByLabelText("Database password"), `${PASSWORD}{Enter}`);
    expect(await screen.findByText(url)).toBeInTheDocument();
    expect(fake.called("set_vault_location")[1]?.args).toEqual({ location: url, password: PASSWORD });
    expect(fake.keptPassword).toBe(PASSWORD);
    expect(screen.getByRole("heading", { name: "Create your team vault" })).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(PASSWORD);
    for (const input of document.querySelectorAll("input")) expect(input.value).not.toContain(PASSWORD);
  });

  it("goes to the join screen when the server already holds a vault", async () => {
    const fake = installFake({ exists: false, seed: false });
    fake.serverHasVault = true;
    const { user } = renderApp();

    await user.click(await screen.findByRole("button", { name: "Use a team server" }));
    await user.type(screen.getByLabelText("Team server URL"), "postgresql://grace@db.example.com/keyshelf");
    await user.click(screen.getByRole("button", { name: "Use this server" }));

    expect(await screen.findByRole("heading", { name: "Join ml-team" })).toBeInTheDocument();
    expect(screen.getByText("postgresql://grace@db.example.com/keyshelf")).toBeInTheDocument();
  });

  it("refuses another scheme with the core's message, and keeps the default file", async () => {
    const fake = installFake({ exists: false, seed: false });
    const { user } = renderApp();

    await user.click(await screen.findByRole("button", { name: "Use a team server" }));
    await user.type(screen.getByLabelText("Team server URL"), `mysql://root:${PASSWORD}@db/keyshelf`);
    await user.click(screen.getByRole("button", { name: "Use this server" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Mysql://… is not a vault location this build can open (a file path or postgres://)",
    );
    expect(fake.location).toBe(DEFAULT_LOCATION);
    expect(document.body.innerHTML).not.toContain(PASSWORD);
    expect(screen.getByLabelText("Team server URL")).toHaveValue("");
  });

  it("at start, a server that refuses the kept password offers to give it again", async () => {
    const fake = installFake({ exists: false, seed: false });
    const url = "postgres://ada@db.example.com:5432/keyshelf";
    fake.location = url;
    fake.serverPassword = PASSWORD;
    fake.keptPassword = "an old password";
    const { user } = renderApp();

    expect(await screen.findByRole("heading", { name: "Keyshelf cannot open the vault" })).toBeInTheDocument();
    expect(screen.getByText(/refused the login of ada/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Use a team server" }));
    await user.type(screen.getByLabelText("Team server URL"), url);
    await user.type(screen.getByLabelText("Database password"), `${PASSWORD}{Enter}`);

    expect(await screen.findByRole("heading", { name: "Create your team vault" })).toBeInTheDocument();
    expect(fake.keptPassword).toBe(PASSWORD);
    expect(document.body.innerHTML).not.toContain(PASSWORD);
  });
});
