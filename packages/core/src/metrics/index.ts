export * from "./queue-gauge";
export * from "./registry";
