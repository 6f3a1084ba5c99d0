export * from "./promtool";
