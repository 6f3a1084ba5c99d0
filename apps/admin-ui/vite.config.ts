import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API runs separately; in production it serves this build itself.
const apiTarget = "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The API's route paths are values the bundle needs; contract.ts imports only types, so its source is
    // safe to bundle (the package's main entry is the server). Types come from the build (tsconfig paths).
    alias: { "@occ/api/contract": fileURLToPath(new URL("../api/src/contract.ts", import.meta.url)) },
  },
  server: {
    proxy: {
      "/api": apiTarget,
      "/admin/queues": apiTarget,
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Charts are most of the bundle and change least often: keep them in their own cacheable chunks.
        codeSplitting: {
          groups: [
            {
              name: "charts",
              test: /node_modules[\\/](recharts|d3-|victory-vendor|es-toolkit|immer|react-redux|@reduxjs)/,
            },
            { name: "vendor", test: /node_modules/ },
          ],
        },
      },
    },
  },
});
