import { Writable } from "node:stream";
import { createLogger } from "./logger";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  it("drops messages below its level before formatting them, and writes the others", async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: "test", level: "info", stream });
    let formatted = 0;
    // Only the JSON output format calls toJSON: a count of the messages formatted in full.
    const meta = {
      detail: {
        toJSON() {
          formatted++;
          return "x";
        },
      },
    };
    logger.debug("hidden", meta);
    logger.info("shown", { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(formatted).toBe(0);
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["shown"]);

    // The level can change at run time; what it lets through is formatted and written again.
    logger.level = "debug";
    logger.debug("now shown", meta);
    await new Promise((resolve) => setImmediate(resolve));
    expect(formatted).toBeGreaterThan(0);
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["shown", "now shown"]);
  });
});
