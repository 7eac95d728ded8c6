import { describe, expect, it } from "vitest";

import { MAX_FILE_BYTES } from "../config";
import { bytesToBase64, readFileValue } from "./files";

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let start = 0; start < length; start += 65_536) crypto.getRandomValues(bytes.subarray(start, start + 65_536));
  return bytes;
}

describe("bytesToBase64", () => {
  it("matches standard padded base64 for short inputs", () => {
    expect(bytesToBase64(new Uint8Array([]))).toBe("");
    expect(bytesToBase64(new TextEncoder().encode("f"))).toBe("Zg==");
    expect(bytesToBase64(new TextEncoder().encode("fo"))).toBe("Zm8=");
    expect(bytesToBase64(new TextEncoder().encode("foo"))).toBe("Zm9v");
    expect(bytesToBase64(new Uint8Array([0, 255, 254, 128, 10]))).toBe("AP/+gAo=");
  });

  it("round-trips every byte value and large arrays without overflowing the stack", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Buffer.from(bytesToBase64(all), "base64")).toEqual(Buffer.from(all));

    for (const size of [150_000, MAX_FILE_BYTES]) {
      const bytes = randomBytes(size);
      const encoded = bytesToBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
      // Buffer.equals rather than toEqual: a deep diff of a megabyte is slow.
      expect(Buffer.from(encoded, "base64").equals(bytes)).toBe(true);
    }
  });
});

describe("readFileValue", () => {
  it("reads a file into a file SecretValue", async () => {
    const bytes = randomBytes(120_000);
    const value = await readFileValue(new File([bytes], "sa.json", { type: "application/json" }));
    expect(value.type).toBe("file");
    expect(value.name).toBe("sa.json");
    expect(Buffer.from(value.base64, "base64").equals(bytes)).toBe(true);
  });

  it("accepts exactly 1 MiB and refuses a byte more, naming the file and the limit", async () => {
    await expect(readFileValue(new File([new Uint8Array(MAX_FILE_BYTES)], "ok.bin"))).resolves.toMatchObject({
      name: "ok.bin",
    });
    await expect(readFileValue(new File([new Uint8Array(MAX_FILE_BYTES + 1)], "big.bin"))).rejects.toThrow(
      'The file "big.bin" is 1,048,577 bytes; files can be at most 1 MiB (1,048,576 bytes).',
    );
  });

  it("refuses an empty file", async () => {
    await expect(readFileValue(new File([], "empty.txt"))).rejects.toThrow('The file "empty.txt" is empty.');
  });
});
