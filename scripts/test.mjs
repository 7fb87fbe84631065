// `pnpm test`: every check CI runs, in order, stopping at the first failure, then one summary line
// counting the tests that ran at each level (from the runners' JSON reports).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = path.join(root, '.test-results');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const steps = [
  ['build', ['build']],
  ['lint', ['lint']],
  ['typecheck', ['typecheck']],
  ['unit', ['test:unit']],
  ['integration', ['test:int']],
  ['e2e', ['test:e2e']],
];

const only = process.argv.slice(2);
for (const [name, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync('pnpm', args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TEST_REPORTS_DIR: reports },
  });
  console.log(
    `=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`,
  );
  if (result.status !== 0) {
    summarize();
    process.exit(result.status ?? 1);
  }
}
summarize();

function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const perLevel = [];
  for (const file of existsSync(reports) ? readdirSync(reports) : []) {
    const report = JSON.parse(readFileSync(path.join(reports, file), 'utf8'));
    // Vitest's JSON has numPassedTests; Playwright's has stats.expected/unexpected.
    const p = report.numPassedTests ?? report.stats?.expected ?? 0;
    const f =
      report.numFailedTests ?? (report.stats ? report.stats.unexpected + report.stats.flaky : 0);
    const s = report.numPendingTests ?? report.stats?.skipped ?? 0;
    passed += p;
    failed += f;
    skipped += s;
    perLevel.push(`${file.replace(/\.json$/, '')}: ${p}`);
  }
  console.log(`\ntests per suite: ${perLevel.join(', ')}`);
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}
