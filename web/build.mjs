// Builds the three web clients into one folder that chatd serves (server.web_root):
//   node build.mjs [--out DIR]   (default: ../build/web)
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--out');
const out = resolve(at > 0 ? process.argv[at + 1] : join(here, '..', 'build', 'web'));
const src = join(here, 'src');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: 'linked', target: ['chrome109', 'firefox115', 'safari16'], logLevel: 'warning' };

// The console and the monitor: ES modules with their CSS bundled beside them.
await esbuild.build({
  ...common,
  entryPoints: { 'console/console': join(src, 'console/console.js'), 'monitor/monitor': join(src, 'monitor/monitor.js') },
  format: 'esm',
  outdir: out,
});

// The widget: one classic script for any host page; its CSS goes into its shadow root as text.
await esbuild.build({
  ...common,
  entryPoints: { 'widget/chat-widget': join(src, 'widget/widget.js') },
  format: 'iife',
  loader: { '.css': 'text' },
  outdir: out,
});

for (const file of ['index.html', 'index.css', 'console/index.html', 'monitor/index.html', 'widget/demo.html',
  'widget/demo.js', 'widget/demo.css'])
  cpSync(join(src, file), join(out, file));

console.log(`web: built the widget, the console and the monitor into ${out}`);
