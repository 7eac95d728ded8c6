import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake } from "../../test/fake";
import { renderApp } from "../../test/render";

async function openSettings(user: ReturnType<typeof renderApp>["user"]) {
  await screen.findByRole("navigation", { name: "Projects" });
  await user.click(screen.getByRole("button", { name: "Settings" }));
  return screen.getByRole("dialog", { name: "Settings" });
}

describe("settings", () => {
  it("loads the device settings when opened, checks the range, saves and says so", async () => {
    const fake = installFake();
    fake.settings = { idle_lock_minutes: 25, lock_on_system_lock: false };
    const { user } = renderApp();
    await screen.findByRole("navigation", { name: "Projects" });
    expect(fake.called("get_settings")).toHaveLength(0);

    const dialog = await openSettings(user);
    const minutes = await within(dialog).findByLabelText("Lock after idle (minutes)");
    const onScreenLock = within(dialog).getByLabelText("Lock when the screen locks");
    expect(minutes).toHaveValue(25);
    expect(minutes).toHaveFocus();
    expect(fake.called("get_settings")).toHaveLength(1);
    expect(onScreenLock).not.toBeChecked();
    expect(minutes).toHaveAccessibleDescription(/From 1 to 1440 minutes/);

    for (const bad of ["0", "1441", "2.5"]) {
      await user.clear(minutes);
      await user.type(minutes, bad);
      await user.click(within(dialog).getByRole("button", { name: "Save settings" }));
      expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter a whole number of minutes from 1 to 1440.");
      expect(minutes).toHaveAttribute("aria-invalid", "true");
    }
    expect(fake.called("set_settings")).toHaveLength(0);

    await user.clear(minutes);
    await user.type(minutes, "1440");
    expect(minutes).not.toHaveAttribute("aria-invalid");
    await user.click(onScreenLock);
    await user.click(within(dialog).getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Settings" })).not.toBeInTheDocument());
    expect(screen.getByRole("status")).toHaveTextContent("Settings saved.");
    expect(fake.called("set_settings")).toEqual([
      { cmd: "set_settings", args: { settings: { idle_lock_minutes: 1440, lock_on_system_lock: true } } },
    ]);
    expect(fake.settings).toEqual({ idle_lock_minutes: 1440, lock_on_system_lock: true });
  });

  it("shows Rust's refusal in the dialog and keeps it open", async () => {
    const fake = installFake();
    const handle = fake.handle.bind(fake);
    fake.handle = async (cmd, args) => {
      if (cmd === "set_settings") throw { code: "invalid", message: "invalid idle lock setting: not on this device" };
      return handle(cmd, args);
    };
    fake.install();
    const { user } = renderApp();
    const dialog = await openSettings(user);
    expect(await within(dialog).findByLabelText("Lock after idle (minutes)")).toHaveValue(10);
    await user.click(within(dialog).getByRole("button", { name: "Save settings" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Invalid idle lock setting: not on this device");
    expect(screen.getByRole("dialog", { name: "Settings" })).toBeInTheDocument();
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });
});
