import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app runs inside Tauri under a strict CSP (script-src 'self', style-src 'self', no eval):
// relative asset URLs, no inlined data: assets, no module-preload polyfill, no source maps.
export default defineConfig({
  base: "./",
  plugins: [react()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    testTimeout: 15000,
  },
});
