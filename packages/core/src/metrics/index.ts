export * from "./kitchen-gauges";
export * from "./queue-gauge";
export * from "./registry";
