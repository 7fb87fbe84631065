// When `pnpm test` runs, each suite also writes a JSON report so the summary can count tests.
export function reporting(suite) {
  const dir = process.env.TEST_REPORTS_DIR;
  return dir
    ? { reporters: ['default', 'json'], outputFile: { json: `${dir}/${suite}.json` } }
    : { reporters: ['default'] };
}
