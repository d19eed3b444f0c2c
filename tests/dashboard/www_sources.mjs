// The dashboard's JavaScript files, for the tests that read them as text
// (every key a page asks for has its words).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.js') ? [path] : [];
  });
}
