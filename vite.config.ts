import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { lessonsPlugin } from './src/lib/lessons/vitePlugin.ts';
import { demoServerPlugin } from './server/vite-plugin.ts';

export default defineConfig({
  plugins: [lessonsPlugin(), svelte(), demoServerPlugin()],
  publicDir: 'static',
  build: {
    outDir: 'dist',
    target: 'es2022',
    reportCompressedSize: true,
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
