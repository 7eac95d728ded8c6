import { useEffect, useState } from "react";

import * as api from "../../api";
import type { VersionSummary } from "../../bindings/VersionSummary";
import { Badge } from "../../components/Badge";
import { formatDateTime } from "../../lib/time";

export function HistoryTable({ path }: { path: string }) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api.secretHistory(path).then(
      (rows) => current && setVersions(rows),
      (e: unknown) => current && setError(api.errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [path]);

  if (error) return <p role="alert" className="detail-error">{error}</p>;
  if (versions === null) return <p className="muted detail-loading">Loading history…</p>;
  return (
    <table className="history" aria-label="Version history">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">State</th>
          <th scope="col">Created</th>
          <th scope="col">By</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version}>
            <td className="mono">v{v.version}</td>
            <td>
              <Badge tone={v.state === "current" ? "success" : "neutral"}>{v.state}</Badge>
            </td>
            <td>{formatDateTime(v.created_at)}</td>
            <td>{v.created_by}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
