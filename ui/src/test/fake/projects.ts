import { fail, type Command } from "./common";

export const projectCommands: Record<string, Command> = {
  list_projects: (vault) =>
    [...vault.projects].map(([name, envs]) => ({
      name,
      environments: [...envs].map(([env, scope]) => ({ name: env, secrets: scope.size })),
    })),
  add_project: (vault, args) => {
    const name = String(args.name);
    if (vault.projects.has(name)) throw fail("exists", `project ${name} already exists`);
    vault.addProject(name, args.environments as string[]);
    return null;
  },
  add_environment: (vault, args) => {
    const envs = vault.projects.get(String(args.project));
    if (!envs) throw fail("not_found", `unknown project ${args.project}`);
    envs.set(String(args.environment), new Map());
    if (vault.me) vault.grant(vault.me, `${args.project}/${args.environment}`);
    return null;
  },
};
