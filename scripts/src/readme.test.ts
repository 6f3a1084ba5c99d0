import { readFileSync } from "node:fs";
import path from "node:path";
import { ENV_VARS } from "@occ/core";

const readme = readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");

describe("README", () => {
  it("documents every environment variable the config schema reads", () => {
    expect(ENV_VARS.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it("names the two commands", () => {
    expect(readme).toContain("npm start");
    expect(readme).toContain("npm test");
  });
});
