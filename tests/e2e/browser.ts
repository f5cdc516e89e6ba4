/**
 * Finds a Chromium to drive: Playwright's own download first, then CHROME_PATH, then Debian's
 * /usr/bin/chromium (browsers cannot be downloaded on every machine this runs on).
 */
import { existsSync } from 'node:fs';
import { chromium, type LaunchOptions } from '@playwright/test';

export function findChromium(): string | undefined {
  const candidates = [
    safeExecutablePath(),
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

function safeExecutablePath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = findChromium();
  return {
    ...(executablePath ? { executablePath } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  };
}
