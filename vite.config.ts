import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { lessonsPlugin } from './src/lib/lessons/vitePlugin.ts';
import { demoServerPlugin } from './server/vite-plugin.ts';

export default defineConfig({
  plugins: [lessonsPlugin(), svelte(), demoServerPlugin()],
  publicDir: 'static',
  // Relative asset URLs: the static build works from any folder of any static host (hash routing needs no
  // server rewrites); only live runs and the lab need the demo server, and they say so.
  base: './',
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
