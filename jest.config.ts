import type { Config } from "jest";

type ProjectConfig = Exclude<NonNullable<Config["projects"]>[number], string>;

// Tests import workspace packages from source so they never depend on a stale build;
// end-to-end tests start the built processes (npm test builds first).
const packageDirs: Record<string, string> = {
  db: "db",
  core: "packages/core",
  testkit: "packages/testkit",
  "newbook-sim": "apps/newbook-sim",
  api: "apps/api",
  worker: "apps/worker",
};

const common: ProjectConfig = {
  testEnvironment: "node",
  rootDir: ".",
  transform: {
    "^.+\\.tsx?$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.jest.json" }],
  },
  moduleNameMapper: Object.fromEntries(
    Object.entries(packageDirs).map(([name, dir]) => [`^@occ/${name}$`, `<rootDir>/${dir}/src/index.ts`]),
  ),
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
};

// Tests sit beside the code they test (src/) or, for suites with their own infrastructure such as the
// worker's chaos suite and process harness, under the app's test/ folder, which no build compiles.
const testDirs = "<rootDir>/{{db,packages/*,apps/*,scripts}/src,apps/*/test}/**";

const projects: ProjectConfig[] = [
  {
    ...common,
    displayName: "unit",
    setupFilesAfterEnv: ["<rootDir>/jest/unit.setup.ts"],
    testMatch: [`${testDirs}/*.test.ts`],
    testPathIgnorePatterns: [
      "/node_modules/",
      "/dist/",
      "\\.int\\.test\\.ts$",
      "\\.e2e\\.test\\.ts$",
      "\\.chaos\\.test\\.ts$",
    ],
  },
  {
    ...common,
    displayName: "integration",
    setupFilesAfterEnv: ["<rootDir>/jest/integration.setup.ts"],
    testMatch: [`${testDirs}/*.int.test.ts`],
  },
  {
    ...common,
    displayName: "e2e",
    setupFilesAfterEnv: ["<rootDir>/jest/e2e.setup.ts"],
    testMatch: ["<rootDir>/e2e/**/*.e2e.test.ts"],
  },
  {
    ...common,
    displayName: "chaos",
    setupFilesAfterEnv: ["<rootDir>/jest/chaos.setup.ts"],
    testMatch: [`${testDirs}/*.chaos.test.ts`],
  },
];

// JEST_PROJECTS picks projects (npm run test:unit, test:chaos, ...). The chaos suite restarts services, so it
// runs only when asked for, after the rest (npm test).
const selected = (process.env.JEST_PROJECTS ?? "unit,integration,e2e").split(",");
const config: Config = { projects: projects.filter((p) => selected.includes(String(p.displayName))) };

export default config;
