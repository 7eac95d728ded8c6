import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";

import { ApiError, errorMessage, listProjects, onLocked, toApiError, unlock } from ".";

describe("api errors", () => {
  it("maps a rejected CommandError to an ApiError with its code and message", async () => {
    mockIPC(() => {
      throw { code: "tampered", message: "secret llm-eval/dev/X failed authentication" };
    });
    const error = await listProjects().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "tampered", message: "secret llm-eval/dev/X failed authentication" });
    expect(errorMessage(error)).toBe("Secret llm-eval/dev/X failed authentication");
  });

  it("keeps not_allowed, the code for a refused team action", () => {
    expect(toApiError({ code: "not_allowed", message: "you have no access to llm-eval/prod" })).toMatchObject({
      code: "not_allowed",
      message: "you have no access to llm-eval/prod",
    });
  });

  it("turns unknown codes and non-CommandError rejections into showable internal errors", () => {
    expect(toApiError({ code: "brand_new", message: "m" })).toMatchObject({ code: "internal", message: "m" });
    expect(toApiError("command list_projects not found")).toMatchObject({
      code: "internal",
      message: "command list_projects not found",
    });
    expect(toApiError(undefined).message).toMatch(/went wrong/);
  });

  it("announces a locked vault, except for unlock's own answer", async () => {
    const listener = vi.fn();
    const stop = onLocked(listener);
    mockIPC(() => {
      throw { code: "locked", message: "the vault is locked" };
    });
    await expect(unlock(null)).rejects.toMatchObject({ code: "locked" });
    expect(listener).not.toHaveBeenCalled();
    await expect(listProjects()).rejects.toMatchObject({ code: "locked" });
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});
