export * from "./kitchen-gauges";
export * from "./queue-depths";
export * from "./queue-gauge";
export * from "./registry";
