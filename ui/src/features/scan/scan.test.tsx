import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { installFake, VALUES, type FakeVault } from "../../test/fake";
import { renderApp } from "../../test/render";
import { displayName, groupByFile, place, summary } from "./findings";

const FOLDER = "/home/ada/notebooks";
const NOTEBOOK = `${FOLDER}/eval.ipynb`;
const SCRIPT = `${FOLDER}/train.py`;
const NOT_IN_VAULT = "hf_NotInTheVault1234567890abcdef";
const OPENAI = "llm-eval/dev/OPENAI_API_KEY";

/** A notebook leaking the dev OpenAI key in a cell's code and its output, and a script with a stray token. */
function leakyFolder(fake: FakeVault) {
  fake.disk.writeNotebook(NOTEBOOK, [
    { source: "import pandas as pd\ndf = pd.read_csv('eval.csv')" },
    { source: `client = OpenAI(api_key="${VALUES.devOpenai}")`, outputs: `AuthenticationError: ${VALUES.devOpenai}` },
  ]);
  fake.disk.writeText(SCRIPT, `import os\ntoken = "${NOT_IN_VAULT}"\n`);
  fake.disk.writeText(`${FOLDER}/README.md`, "Nothing to see here.\n");
}

/** Nothing secret on the page or in a field: only 4-character previews. */
function expectNoValues(fake: FakeVault) {
  const text = document.body.textContent ?? "";
  for (const value of [...fake.allValues(), NOT_IN_VAULT]) {
    expect(text).not.toContain(value);
    for (const input of document.querySelectorAll("input")) expect(input.value).not.toContain(value);
  }
}

async function openScan(user: ReturnType<typeof renderApp>["user"]) {
  await user.click(await screen.findByRole("button", { name: "Scan for leaks" }));
  return screen.getByRole("dialog", { name: "Scan for leaks" });
}

async function scan(user: ReturnType<typeof renderApp>["user"], dialog: HTMLElement, folder = FOLDER) {
  const field = within(dialog).getByLabelText("Folder");
  await user.clear(field);
  await user.type(field, folder);
  await user.click(within(dialog).getByRole("button", { name: "Scan" }));
}

describe("scan for leaks", () => {
  it("scans a typed folder and shows findings by file, with cell, kind, preview and vault secret, never a value", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    expect(within(dialog).getByLabelText("Folder")).toHaveFocus();

    await scan(user, dialog);
    expect(
      await within(dialog).findByText(
        "Scanned 3 files, 0.0 MB, for 5 vault secrets and provider key formats: 3 findings.",
      ),
    ).toBeInTheDocument();
    expect(fake.called("scan_folder").map((c) => c.args)).toEqual([{ folder: FOLDER }]);
    expect(within(dialog).getByRole("heading", { name: `Results for ${FOLDER}` })).toBeInTheDocument();

    // Grouped by file, named relative to the folder; files without findings are not listed.
    const notebook = within(dialog).getByRole("region", { name: "eval.ipynb" });
    const script = within(dialog).getByRole("region", { name: "train.py" });
    expect(within(dialog).queryByRole("region", { name: "README.md" })).not.toBeInTheDocument();
    expect(within(notebook).getByText("2 findings")).toBeInTheDocument();

    const [source, output] = within(notebook).getAllByRole("listitem");
    expect(source).toHaveAccessibleName("OpenAI key, cell 1 · source");
    expect(output).toHaveAccessibleName("OpenAI key, cell 1 · outputs");
    expect(source).toHaveTextContent("sk-p…");
    expect(source).toHaveTextContent(`Vault secret ${OPENAI}`);
    expect(within(source!).getByRole("button", { name: `Rotate ${OPENAI}` })).toBeInTheDocument();

    const token = within(script).getByRole("listitem");
    expect(token).toHaveAccessibleName("Hugging Face token, line 2");
    expect(token).toHaveTextContent("hf_N…");
    expect(token).toHaveTextContent("Not a vault secret");
    expect(within(token).queryByRole("button", { name: /^Rotate/ })).not.toBeInTheDocument();

    // The vault key was found in a notebook: Rust flagged it exposed, and the page says so.
    expect(
      within(dialog).getByText(
        `Found in notebooks, now flagged exposed: ${OPENAI}. Redacting removes the copies in the files; the keys still have to be rotated at the provider.`,
      ),
    ).toBeInTheDocument();
    expectNoValues(fake);
    expect(within(dialog).getByRole("button", { name: "Redact selected" })).toBeDisabled();
  });

  it("fills the folder from the folder picker Rust opens, and keeps it when the picker is cancelled", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    const field = within(dialog).getByLabelText("Folder");

    fake.disk.picked = FOLDER;
    await user.click(within(dialog).getByRole("button", { name: "Choose…" }));
    await waitFor(() => expect(field).toHaveValue(FOLDER));

    fake.disk.picked = null;
    await user.click(within(dialog).getByRole("button", { name: "Choose…" }));
    expect(fake.called("pick_scan_folder")).toHaveLength(2);
    expect(field).toHaveValue(FOLDER);
    expect(fake.called("scan_folder")).toHaveLength(0);
  });

  it("shows progress while Rust scans, then the results", async () => {
    const fake = installFake();
    leakyFolder(fake);
    let release = () => {};
    fake.disk.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);

    expect(await within(dialog).findByText("Scanning…")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Scan" })).toBeDisabled();
    expect(within(dialog).getByRole("button", { name: "Choose…" })).toBeDisabled();
    // The listener is in place once the status shows; Rust's next report updates it.
    await waitFor(async () => {
      await act(() => fake.emitScanProgress(1204, 312_400_000));
      expect(within(dialog).getByText("Scanning… 1,204 files, 312.4 MB so far.")).toBeInTheDocument();
    });

    await act(async () => release());
    expect(await within(dialog).findByText(/^Scanned 3 files/)).toBeInTheDocument();
    expect(within(dialog).queryByText(/^Scanning…/)).not.toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Scan" })).toBeEnabled();
  });

  it("asks for a folder, and shows Rust's reason for one it cannot scan", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);

    await user.click(within(dialog).getByRole("button", { name: "Scan" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Enter the folder to scan, or choose one.");
    expect(fake.called("scan_folder")).toHaveLength(0);

    await scan(user, dialog, "notebooks");
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      'Invalid folder "notebooks": expected an absolute path, like /home/you/notebooks',
    );

    // Enter in the field scans too.
    const field = within(dialog).getByLabelText("Folder");
    await user.clear(field);
    await user.type(field, `${FOLDER}{Enter}`);
    expect(await within(dialog).findByText(/^Scanned 3 files/)).toBeInTheDocument();
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says so when nothing leaked", async () => {
    const fake = installFake();
    fake.disk.writeText(`${FOLDER}/clean.py`, "print('hello')\n");
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);

    expect(await within(dialog).findByText("No keys found.")).toBeInTheDocument();
    expect(within(dialog).getByText(/: 0 findings\.$/)).toBeInTheDocument();
    expect(within(dialog).queryByLabelText("Select all findings")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Redact selected" })).toBeDisabled();
  });

  it("redacts the selected findings after a confirmation that the backups still hold the keys, then scans again", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);
    const notebook = await within(dialog).findByRole("region", { name: "eval.ipynb" });

    const all = within(dialog).getByLabelText("Select all findings");
    const boxes = within(notebook).getAllByRole("checkbox");
    expect(boxes.map((b) => b.getAttribute("aria-label"))).toEqual([
      "Select OpenAI key at eval.ipynb:5:26",
      "Select OpenAI key at eval.ipynb:6:22",
    ]);
    await user.click(boxes[0]!);
    await user.click(boxes[1]!);
    expect(within(dialog).getByText("2 findings selected")).toBeInTheDocument();
    expect(all).not.toBeChecked();
    expect((all as HTMLInputElement).indeterminate).toBe(true);

    await user.click(within(dialog).getByRole("button", { name: "Redact selected" }));
    const confirm = screen.getByRole("dialog", { name: "Redact findings" });
    expect(confirm).toHaveTextContent("Redact 2 findings in 1 file?");
    expect(confirm).toHaveTextContent(
      "The originals are kept beside them as FILE.keyshelf-bak, and those copies still hold the keys.",
    );
    expect(confirm).toHaveTextContent("rotate it at the provider");
    // The safe choice has the focus; Cancel changes nothing.
    expect(within(confirm).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(fake.called("redact_findings")).toHaveLength(0);

    await user.click(within(dialog).getByRole("button", { name: "Redact selected" }));
    await user.click(within(screen.getByRole("dialog", { name: "Redact findings" })).getByRole("button", { name: "Redact" }));

    // Positions only go to Rust, which finds the keys again itself.
    await waitFor(() => expect(fake.called("redact_findings")).toHaveLength(1));
    expect(fake.called("redact_findings")[0]?.args).toEqual({
      targets: [
        { file: NOTEBOOK, line: 5, column: 26 },
        { file: NOTEBOOK, line: 6, column: 22 },
      ],
    });
    expect(
      await screen.findByText(
        "Redacted 2 findings in 1 file. The originals are kept as FILE.keyshelf-bak and still hold the keys.",
      ),
    ).toBeInTheDocument();
    expect(fake.disk.text(NOTEBOOK)).not.toContain(VALUES.devOpenai);
    expect(fake.disk.text(NOTEBOOK)).toContain(`[REDACTED: keyshelf ${OPENAI}]`);
    expect(fake.disk.text(SCRIPT)).toContain(NOT_IN_VAULT);

    // The folder as it is now: the script still leaks, the backup holds the originals and is
    // to be deleted, not redacted.
    await waitFor(() => expect(fake.called("scan_folder")).toHaveLength(2));
    const backup = await within(dialog).findByRole("region", { name: "eval.ipynb.keyshelf-bak" });
    expect(within(dialog).queryByRole("region", { name: "eval.ipynb" })).not.toBeInTheDocument();
    // The Redact selected button went with the old results: the focus moves to the new ones.
    await waitFor(() => expect(within(dialog).getByRole("heading", { name: `Results for ${FOLDER}` })).toHaveFocus());
    expect(backup).toHaveTextContent("still holds the keys. Delete it once you have checked the redacted file.");
    for (const box of within(backup).getAllByRole("checkbox")) expect(box).toBeDisabled();
    await user.click(within(dialog).getByLabelText("Select all findings"));
    expect(within(dialog).getByText("1 finding selected")).toBeInTheDocument();
    expect(within(within(dialog).getByRole("region", { name: "train.py" })).getByRole("checkbox")).toBeChecked();
    expectNoValues(fake);
  });

  it("shows why a redaction was refused, in the confirmation", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);
    await user.click(await within(dialog).findByLabelText("Select all findings"));
    fake.disk.redact = () => {
      throw { code: "internal", message: `redacting ${SCRIPT}: Permission denied (os error 13)` };
    };
    await user.click(within(dialog).getByRole("button", { name: "Redact selected" }));
    const confirm = screen.getByRole("dialog", { name: "Redact findings" });
    expect(confirm).toHaveTextContent("Redact 3 findings in 2 files?");
    await user.click(within(confirm).getByRole("button", { name: "Redact" }));
    expect(await within(confirm).findByRole("alert")).toHaveTextContent(
      `Redacting ${SCRIPT}: Permission denied (os error 13)`,
    );
    expect(fake.called("scan_folder")).toHaveLength(1);
  });

  it("redacts the files it can and says which it could not", async () => {
    const fake = installFake();
    leakyFolder(fake);
    fake.disk.readOnly.add(SCRIPT);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);
    await user.click(await within(dialog).findByLabelText("Select all findings"));
    await user.click(within(dialog).getByRole("button", { name: "Redact selected" }));
    await user.click(within(screen.getByRole("dialog", { name: "Redact findings" })).getByRole("button", { name: "Redact" }));

    expect(
      await screen.findByText(
        "Redacted 2 findings in 1 file. The originals are kept as FILE.keyshelf-bak and still hold the keys.",
      ),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(
        `Some files were left as they were: ${SCRIPT} not redacted: redacting ${SCRIPT}: Permission denied (os error 13).`,
      ),
    ).toBeInTheDocument();
    expect(fake.disk.text(NOTEBOOK)).not.toContain(VALUES.devOpenai);
    expect(fake.disk.text(SCRIPT)).toContain(NOT_IN_VAULT);
    expect(fake.disk.exists(`${SCRIPT}.keyshelf-bak`)).toBe(false);
    // The scan after it still lists the script's finding.
    await waitFor(() => expect(fake.called("scan_folder")).toHaveLength(2));
    expect(await within(dialog).findByRole("region", { name: "train.py" })).toBeInTheDocument();
  });

  it("redacts nothing in a file that changed since the scan, and shows it as it is now", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);
    const script = await within(dialog).findByRole("region", { name: "train.py" });
    fake.disk.writeText(SCRIPT, "import os\n");
    await user.click(within(script).getByRole("checkbox"));
    await user.click(within(dialog).getByRole("button", { name: "Redact selected" }));
    await user.click(within(screen.getByRole("dialog", { name: "Redact findings" })).getByRole("button", { name: "Redact" }));

    expect(
      await screen.findByText("Nothing was redacted: the files changed since the scan. Here they are as they are now."),
    ).toBeInTheDocument();
    await waitFor(() => expect(within(dialog).queryByRole("region", { name: "train.py" })).not.toBeInTheDocument());
    expect(fake.disk.exists(`${SCRIPT}.keyshelf-bak`)).toBe(false);
  });

  it("names every vault secret holding a found value, and shows nothing of a short one", async () => {
    const fake = installFake();
    // The same key stored twice, and a short password.
    fake.put("training/dev/OPENAI_API_KEY", VALUES.devOpenai, "openai");
    fake.put("training/dev/DB_PASSWORD", "hunter2hunter", "generic");
    fake.disk.writeNotebook(NOTEBOOK, [{ source: `key = "${VALUES.devOpenai}"\npw = "hunter2hunter"` }]);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);

    const notebook = await within(dialog).findByRole("region", { name: "eval.ipynb" });
    const [key, password] = within(notebook).getAllByRole("listitem");
    expect(key).toHaveTextContent(`Vault secret ${OPENAI} (also training/dev/OPENAI_API_KEY)`);
    expect(password).toHaveAccessibleName("Vault value, cell 0 · source");
    expect(password).toHaveTextContent("Vault secret training/dev/DB_PASSWORD");
    expect(within(password!).getByTitle("The first four characters")).toHaveTextContent(/^…$/);
    expect(
      within(dialog).getByText(
        `Found in notebooks, now flagged exposed: ${OPENAI}, training/dev/DB_PASSWORD, training/dev/OPENAI_API_KEY. ` +
          "Redacting removes the copies in the files; the keys still have to be rotated at the provider.",
      ),
    ).toBeInTheDocument();
    expect(document.body.textContent).not.toContain("hunt");
  });

  it("goes to a leaked vault secret from its finding, and keeps the results for the way back", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    let dialog = await openScan(user);
    await scan(user, dialog);
    const notebook = await within(dialog).findByRole("region", { name: "eval.ipynb" });

    await user.click(within(notebook).getAllByRole("button", { name: `Rotate ${OPENAI}` })[0]!);
    expect(screen.queryByRole("dialog", { name: "Scan for leaks" })).not.toBeInTheDocument();
    const detail = await screen.findByRole("region", { name: "Secret detail" });
    expect(within(detail).getByRole("heading", { name: "OPENAI_API_KEY" })).toBeInTheDocument();
    expect(detail).toHaveTextContent(OPENAI);
    expect(await within(detail).findByText(`Exposed: found in clear in ${NOTEBOOK} (cell 1). Rotate it at the provider.`)).toBeInTheDocument();
    const list = screen.getByRole("list", { name: "Secrets" });
    await waitFor(() => expect(within(list).getByRole("button", { name: "OPENAI_API_KEY" })).toHaveTextContent("Exposed"));

    dialog = await openScan(user);
    expect(within(dialog).getByLabelText("Folder")).toHaveValue(FOLDER);
    expect(within(dialog).getByText(/^Scanned 3 files/)).toBeInTheDocument();
    expect(within(dialog).getByRole("region", { name: "eval.ipynb" })).toBeInTheDocument();
    expect(fake.called("scan_folder")).toHaveLength(1);
  });

  it("drops the results when the vault locks", async () => {
    const fake = installFake();
    leakyFolder(fake);
    const { user } = renderApp();
    const dialog = await openScan(user);
    await scan(user, dialog);
    await within(dialog).findByText(/^Scanned 3 files/);

    await act(() => fake.emitLocked("idle"));
    expect(await screen.findByText("Locked after a period of inactivity.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog", { name: "Scan for leaks" })).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent("eval.ipynb");
  });
});

describe("scan helpers", () => {
  const finding = {
    file: NOTEBOOK,
    line: 3,
    column: 9,
    cell: null,
    part: null,
    kind: "openai-key",
    secret: null,
    other_secrets: [],
    preview: "sk-p…",
  };

  it("names places, files and the summary as people read them", () => {
    expect(place(finding)).toBe("line 3");
    expect(place({ ...finding, cell: 4, part: "metadata" })).toBe("cell 4 · metadata");
    expect(displayName(NOTEBOOK, `${FOLDER}/`)).toBe("eval.ipynb");
    expect(displayName("/elsewhere/x.py", FOLDER)).toBe("/elsewhere/x.py");
    expect(
      summary({ findings: [finding], files: 1, bytes: 2_500_000, problems: [], secrets_searched: 1, exposed: [], exposed_machines: [] }),
    ).toBe("Scanned 1 file, 2.5 MB, for 1 vault secret and provider key formats: 1 finding.");
    const groups = groupByFile([finding, { ...finding, file: SCRIPT }, { ...finding, line: 9 }]);
    expect(groups.map((g) => [g.file, g.findings.length])).toEqual([
      [NOTEBOOK, 2],
      [SCRIPT, 1],
    ]);
  });
});
