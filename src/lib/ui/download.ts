/** Saves text as a file the learner downloads (exports of runs, figures and traces). */
export function downloadText(name: string, type: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  // Revoke later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A file-name-safe timestamp, e.g. 2026-11-24T04-50-00-000Z. */
export function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
