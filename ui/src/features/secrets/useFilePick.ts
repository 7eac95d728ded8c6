import { useCallback, useRef, useState } from "react";

import * as api from "../../api";
import { readFileValue, type FileValue } from "../../lib/files";

export interface FilePick {
  /** The picked file's name and bytes, once read; like a typed value, held only by the dialog. */
  value: FileValue | null;
  error: string | null;
  pick: (file: File | null) => void;
}

/** Reads a picked file into a file SecretValue; only the latest pick counts. */
export function useFilePick(): FilePick {
  const [value, setValue] = useState<FileValue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const pick = useCallback((file: File | null) => {
    const attempt = ++latest.current;
    setValue(null);
    setError(null);
    if (!file) return;
    readFileValue(file).then(
      (read) => attempt === latest.current && setValue(read),
      (e: unknown) => attempt === latest.current && setError(api.errorMessage(e)),
    );
  }, []);

  return { value, error, pick };
}
