import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/e2e/browser';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  workers: 2,
  reporter: process.env.CI ? 'list' : 'list',
  use: {
    baseURL: process.env.WIRESCOPE_URL,
    launchOptions: chromiumLaunchOptions(),
    trace: 'off',
  },
  globalSetup: './tests/e2e/global-setup.ts',
});
