import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the api under /console/, from console/dist (see src/modules/console).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle; no source maps shipped to browsers.
    sourcemap: false,
    assetsInlineLimit: 0,
  },
});
