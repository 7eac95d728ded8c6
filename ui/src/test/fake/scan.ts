import type { RedactTarget } from "../../bindings/RedactTarget";
import type { Known } from "../fakeScan";
import type { Command } from "./common";
import type { FakeVault } from "./vault";

/** Current values of the secrets this member can open: what Rust's scan looks for. */
function knownSecrets(vault: FakeVault): Known[] {
  const open = vault.scopesOf(vault.me);
  return [...vault.projects].flatMap(([project, envs]) =>
    [...envs]
      .filter(([env]) => open.includes(`${project}/${env}`))
      .flatMap(([env, scope]) =>
        [...scope].map(([name, s]) => ({ path: `${project}/${env}/${name}`, value: s.values[s.values.length - 1] ?? "" })),
      ),
  );
}

/** The folder picker and the vault's side of a scan; the files themselves are vault.disk (fakeScan). */
export const scanCommands: Record<string, Command> = {
  pick_scan_folder: (vault) => vault.disk.picked,
  scan_folder: async (vault, args) => {
    const report = await vault.disk.scan(String(args.folder), knownSecrets(vault));
    // As in Rust: a vault key found in a notebook is flagged exposed.
    const leaked = new Set<string>();
    for (const f of report.findings) {
      if (f.cell === null) continue;
      for (const secret of [...(f.secret === null ? [] : [f.secret]), ...f.other_secrets]) {
        const [project = "", environment = "", name = ""] = secret.split("/");
        const summary = vault.scope(project, environment).get(name)?.summary;
        if (!summary) continue;
        summary.exposed_at = vault.now;
        summary.exposed_reason = `found in clear in ${f.file} (cell ${f.cell})`;
        leaked.add(secret);
      }
    }
    return { ...report, exposed: [...leaked].sort() };
  },
  redact_findings: (vault, args) => vault.disk.redact(args.targets as RedactTarget[], knownSecrets(vault)),
};
