import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ui = (f: string): string => fileURLToPath(new URL(`./ui/${f}`, import.meta.url));

export interface ConsoleBundle {
  /** Bundled ES modules by name (`app.js`, `signin.js`): the UI with chart.js and socket.io-client inside. */
  scripts: Map<string, string>;
  css: string;
}

let built: Promise<ConsoleBundle> | undefined;

/**
 * The console UI bundled with esbuild, in memory, from the TypeScript sources beside this file and
 * the chart.js and socket.io-client packages in node_modules: nothing is fetched from a CDN, so the
 * console works offline. Built on the first request for an asset (≈ 0.3 s), then kept for the
 * process: its inputs are files of this installation, which do not change while it runs.
 */
export function consoleBundle(): Promise<ConsoleBundle> {
  built ??= bundle();
  built.catch(() => (built = undefined));
  return built;
}

async function bundle(): Promise<ConsoleBundle> {
  const out = await build({
    entryPoints: { app: ui('main.ts'), signin: ui('signin.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: '/console-assets',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const scripts = new Map(out.outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('/') + 1), f.text]));
  return { scripts, css: readFileSync(ui('console.css'), 'utf8') };
}

const page = (title: string, body: string, script: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/${script}"></script>
</head>
<body>${body}</body>
</html>
`;

export const SIGN_IN_HTML = page(
  'fedcl console · sign in',
  `<main class="signin">
<form id="signin" autocomplete="off">
<h1>fedcl <span>coordinator console</span></h1>
<label for="password">Operator password</label>
<input id="password" name="password" type="password" required autofocus>
<button type="submit">Sign in</button>
<p id="signin-error" class="error" role="alert" hidden></p>
</form>
</main>`,
  'signin.js',
);

export const APP_HTML = page('fedcl console', '<div id="app"></div>', 'app.js');

/** Same-origin only: scripts, styles, sockets and downloads all come from the coordinator. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
