import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API runs separately; in production it serves this build itself.
const apiTarget = "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
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
