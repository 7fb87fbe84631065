// Kebab-case file names everywhere (house style); a lint rule beats a document that drifts.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => /^(apps|packages|e2e)\/.*\.(ts|tsx)$/.test(f));

// Migrations keep TypeORM's <timestamp>-<PascalCaseAction>.ts shape.
const isMigration = (f) =>
  f.includes('/migrations/') && /^\d{13}-[A-Z][A-Za-z0-9]*\.ts$/.test(path.basename(f));
const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9-]+)*\.(ts|tsx)$/;

const bad = files.filter((f) => !isMigration(f) && !kebab.test(path.basename(f)));
if (bad.length > 0) {
  console.error(`File names must be kebab-case:\n${bad.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
