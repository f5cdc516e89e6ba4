import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/browser';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  workers: 2,
  // One more try for a test that fails: a browser on two shared cores sometimes loses a race the app
  // does not (a late favicon request, a slow first paint). Playwright lists a test that passes only on
  // its second try as "flaky", and a flaky test is a bug to mend, not a pass to keep.
  retries: 1,
  reporter: 'list',
  use: {
    baseURL: process.env.WIRESCOPE_URL,
    launchOptions: chromiumLaunchOptions(),
    trace: 'off',
  },
  globalSetup: './tests/e2e/global-setup.ts',
});
