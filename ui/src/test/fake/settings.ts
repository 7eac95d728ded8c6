import type { Settings } from "../../bindings/Settings";
import type { TraySettings } from "../../bindings/TraySettings";
import { fail, type Command } from "./common";

/** This device's settings: answered while locked too, as in Rust. */
export const settingsCommands: Record<string, Command> = {
  get_settings: (vault) => vault.settings,
  set_settings: (vault, args) => {
    const settings = args.settings as Settings;
    const minutes = settings.idle_lock_minutes;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw fail("invalid", `invalid idle lock setting: ${minutes} minutes is outside 1 to 1440 minutes`);
    }
    vault.settings = { ...settings };
    return vault.settings;
  },
  get_tray_settings: (vault) => vault.tray,
  set_tray_settings: (vault, args) => {
    vault.tray = { ...(args.settings as TraySettings) };
    return vault.tray;
  },
};
