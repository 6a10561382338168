/** Test support for tampering with a written bundle: its audit export as lines, read and written back. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FILES } from '../bundle/files.js';

export function auditLines(dir: string): string[] {
  return readFileSync(join(dir, BUNDLE_FILES.auditExport), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

export function writeAuditLines(dir: string, lines: readonly string[]): void {
  writeFileSync(join(dir, BUNDLE_FILES.auditExport), `${lines.join('\n')}\n`);
}
