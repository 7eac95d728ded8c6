import { describe, expect, it } from "vitest";

import { rotationInput } from "./time";

describe("rotationInput", () => {
  it("writes an interval the way the Rotate every field takes it back", () => {
    expect(rotationInput(null)).toBe("manual");
    expect(rotationInput(90 * 86_400)).toBe("90d");
    expect(rotationInput(14 * 86_400)).toBe("14d");
    expect(rotationInput(36 * 3600)).toBe("36h");
    expect(rotationInput(90 * 60)).toBe("90m");
    expect(rotationInput(45)).toBe("45s");
  });
});
