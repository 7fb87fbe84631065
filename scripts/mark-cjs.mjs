// The shared package is "type": "module"; its CommonJS build needs its own marker so Node
// loads dist/cjs/*.js as CommonJS for the Nest API.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: mark-cjs.mjs <dir>');
writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
