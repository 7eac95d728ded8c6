import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { App } from "../App";

/** Renders the app into a #root (Dialog makes #root inert while open, as in index.html). */
export function renderApp() {
  const root = document.createElement("div");
  root.id = "root";
  document.body.appendChild(root);
  const user = userEvent.setup();
  const result = render(<App />, { container: root });
  return { user, ...result };
}

/** Waits for the browser and opens one environment. */
export async function openScope(user: ReturnType<typeof userEvent.setup>, scope: string) {
  const nav = await screen.findByRole("navigation", { name: "Projects" });
  await user.click(await within(nav).findByRole("button", { name: scope }));
  return screen.findByRole("list", { name: "Secrets" });
}
