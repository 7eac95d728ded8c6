import type { SecretValue } from "../bindings/SecretValue";
import { MAX_FILE_BYTES } from "../config";

export type FileValue = Extract<SecretValue, { type: "file" }>;

/** The limit in words, for hints and errors. */
export const MAX_FILE_SIZE_TEXT = `${MAX_FILE_BYTES / (1024 * 1024)} MiB`;

// String.fromCharCode takes the bytes as arguments and engines cap how many a call may have
// (a 1 MiB spread overflows the stack), so the bytes go through in slices.
const CHUNK = 0x8000;

/** Standard base64 with padding, the form Rust decodes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/** A picked file as a file secret; refused before reading when Rust would refuse it anyway. */
export async function readFileValue(file: File): Promise<FileValue> {
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(
      `The file "${file.name}" is ${file.size.toLocaleString()} bytes; files can be at most ` +
        `${MAX_FILE_SIZE_TEXT} (${MAX_FILE_BYTES.toLocaleString()} bytes).`,
    );
  }
  if (file.size === 0) throw new Error(`The file "${file.name}" is empty.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { type: "file", name: file.name, base64: bytesToBase64(bytes) };
}
