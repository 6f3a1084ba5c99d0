import { createSseParser } from "./sse";

describe("createSseParser", () => {
  it("returns complete frames however the stream is cut, skipping comments and retry lines", () => {
    const parse = createSseParser();
    expect(parse("retry: 3000\n\nevent: ready\nda")).toEqual([]);
    expect(parse('ta: {"a":1}\n\n: keep-alive\n\nevent: sync\r\ndata: {"b":2}\r\n\r\n')).toEqual([
      { event: "ready", data: '{"a":1}' },
      { event: "sync", data: '{"b":2}' },
    ]);
  });

  it("joins multi-line data and defaults the event name", () => {
    const parse = createSseParser();
    expect(parse("data: one\ndata: two\n\n")).toEqual([{ event: "message", data: "one\ntwo" }]);
  });
});
