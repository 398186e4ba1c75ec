import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DEFAULT_PATH = '/usr/bin/chromium';

/** Where the browser tests find Chromium: CHROMIUM_PATH, or Debian's package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_PATH;
}

const HOW_TO =
  'The browser tests need Chromium at /usr/bin/chromium. Install it with `sudo apt-get install -y chromium` ' +
  '(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.';

/**
 * Makes sure Chromium is there before the browser suite starts: installs Debian's package when we
 * are root and it is missing, otherwise stops with one line saying how to install it.
 */
export function ensureChromium(): string {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || path !== DEFAULT_PATH) throw new Error(`${path} is missing. ${HOW_TO}`);
  process.stderr.write(
    'Chromium is missing: installing the Debian packages (apt-get install -y chromium fonts-noto-color-emoji)…\n',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? // The emoji font too: public comments are full of emoji, and screenshots should show them.
        spawnSync(
          'apt-get',
          ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-noto-color-emoji'],
          {
            stdio: 'inherit',
            env,
          },
        )
      : update;
  if (install.status !== 0 || !existsSync(path)) {
    throw new Error(`Installing chromium with apt-get failed (exit ${install.status ?? 'none'}). ${HOW_TO}`);
  }
  return path;
}

// `tsx tests/helpers/ensure-chromium.ts`: the same check from the command line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`Chromium: ${ensureChromium()}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
