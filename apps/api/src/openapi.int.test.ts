import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { API_PATHS } from "./contract";
import { type Harness, startHarness } from "./testing/harness";

const run = promisify(execFile);
const redoclyCli = require.resolve("@redocly/cli/bin/cli.js");
const redoclyConfig = path.resolve(__dirname, "..", "..", "..", "redocly.yaml");

interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { pointer?: string }[];
}

describe("OpenAPI document", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness();
    dir = mkdtempSync(path.join(tmpdir(), "occ-openapi-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  // Route specs can only name contract paths (typed); this is the other direction: no contract path the API
  // does not serve, which would leave the admin UI calling a route that answers 404.
  it("documents exactly the paths of the contract's API_PATHS", async () => {
    const res = await request(h.app).get("/api/openapi.json");
    const documented = Object.keys(res.body.paths as object).map((p) => p.replace(/\{(\w+)\}/g, ":$1"));
    expect(documented.sort()).toEqual(Object.values(API_PATHS).sort());
  });

  // Generated clients and doc tools read the document; Redocly's recommended rules are what they expect.
  it("passes Redocly's recommended lint (redocly.yaml) with no errors and no warnings", async () => {
    const res = await request(h.app).get("/api/openapi.json");
    const file = path.join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(res.body));
    const { stdout } = await run(
      process.execPath,
      [redoclyCli, "lint", file, "--config", redoclyConfig, "--format", "json"],
      // Offline: no telemetry, no update check.
      { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }));
    const report = JSON.parse(stdout) as { problems: LintProblem[] };
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });
});
