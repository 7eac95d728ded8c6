import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// jsdom does no layout: give the virtualised list a viewport so it renders rows.
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 640 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 480 });
Element.prototype.scrollIntoView = function scrollIntoView() {};
Element.prototype.scrollTo = function scrollTo() {} as typeof Element.prototype.scrollTo;

afterEach(() => {
  cleanup();
  clearMocks();
  document.getElementById("root")?.remove();
});
