import { useEffect, useState } from "react";

import * as api from "../../api";
import { CheckboxField, TextField } from "../../components/Field";
import { FormDialog } from "../../components/FormDialog";
import { useSubmit } from "../../components/useSubmit";

// The range Rust's Settings::validate accepts; checked here too so a typo gets an answer at once.
const MIN_MINUTES = 1;
const MAX_MINUTES = 1440;

/**
 * This device's locking policy and whether closing keeps Keyshelf in the tray. Rust stores and
 * applies both (the idle lock runs there).
 */
export function SettingsDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [minutes, setMinutes] = useState("");
  const [lockOnSystemLock, setLockOnSystemLock] = useState(false);
  const [keepInTray, setKeepInTray] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const { busy, error, setError, submit } = useSubmit();

  useEffect(() => {
    let live = true;
    Promise.all([api.getSettings(), api.getTraySettings()]).then(
      ([settings, tray]) => {
        if (!live) return;
        setMinutes(String(settings.idle_lock_minutes));
        setLockOnSystemLock(settings.lock_on_system_lock);
        setKeepInTray(tray.keep_in_tray);
        setLoaded(true);
      },
      (e: unknown) => live && setError(api.errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const save = () => {
    if (!loaded || busy) return;
    const value = Number(minutes.trim());
    if (minutes.trim() === "" || !Number.isInteger(value) || value < MIN_MINUTES || value > MAX_MINUTES) {
      setInvalid(true);
      setError(`Enter a whole number of minutes from ${MIN_MINUTES} to ${MAX_MINUTES}.`);
      return;
    }
    void submit(
      async () => {
        await api.setSettings({ idle_lock_minutes: value, lock_on_system_lock: lockOnSystemLock });
        await api.setTraySettings({ keep_in_tray: keepInTray });
        onSaved();
      },
      (err) => {
        setInvalid(err.code === "invalid");
        return api.errorMessage(err);
      },
    );
  };

  return (
    <FormDialog
      label="Settings"
      description="Locking and the tray on this device. The vault and your team are not affected."
      size="sm"
      onClose={onClose}
      onSubmit={save}
      submitLabel="Save settings"
      busy={busy}
      disabled={!loaded}
      error={error}
    >
      {/* The fields appear once loaded: typing into them before would be overwritten. */}
      {loaded ? (
        <>
          <TextField
            label="Lock after idle (minutes)"
            type="number"
            inputMode="numeric"
            min={MIN_MINUTES}
            max={MAX_MINUTES}
            step={1}
            value={minutes}
            aria-invalid={invalid || undefined}
            onChange={(e) => {
              setMinutes(e.target.value);
              setInvalid(false);
              setError(null);
            }}
            hint={`From ${MIN_MINUTES} to ${MAX_MINUTES} minutes (24 hours) without using Keyshelf.`}
            autoFocus
          />
          <CheckboxField
            label="Lock when the screen locks"
            checked={lockOnSystemLock}
            onChange={(e) => setLockOnSystemLock(e.target.checked)}
            hint="Screen saver, closed lid or locked session, where the system reports it."
          />
          <CheckboxField
            label="Keep running in the tray"
            checked={keepInTray}
            onChange={(e) => setKeepInTray(e.target.checked)}
            hint="Closing the window leaves Keyshelf in the tray, so rotation reminders keep coming. Quit from the tray menu."
          />
        </>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </FormDialog>
  );
}
