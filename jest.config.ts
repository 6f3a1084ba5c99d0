import type { Config } from "jest";

// Tests import workspace packages from source so they never depend on a stale build;
// end-to-end tests start the built processes (npm test builds first).
const roots = {
  db: "db",
  core: "packages/core",
  "newbook-sim": "apps/newbook-sim",
  api: "apps/api",
  worker: "apps/worker",
};
const mapper = Object.fromEntries(
  Object.entries(roots).map(([name, dir]) => [`^@occ/${name}$`, `<rootDir>/${dir}/src/index.ts`]),
);

const transform = {
  "^.+\\.tsx?$": [
    "ts-jest",
    { isolatedModules: true, tsconfig: { module: "commonjs", moduleResolution: "node" } },
  ],
} as const;

const common = {
  testEnvironment: "node",
  transform,
  moduleNameMapper: mapper,
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  rootDir: ".",
};

const config: Config = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/{db,packages,apps,scripts}/**/src/**/*.test.ts"],
      testPathIgnorePatterns: [
        ...common.testPathIgnorePatterns,
        "\\.int\\.test\\.ts$",
        "\\.e2e\\.test\\.ts$",
      ],
    },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/{db,packages,apps,scripts}/**/src/**/*.int.test.ts"],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/e2e/**/*.e2e.test.ts"],
    },
  ],
};

export default config;
