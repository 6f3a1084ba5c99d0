export * from "./advisory-locks";
export * from "./client";
export * from "./connection-flag";
export * from "./migrate";
export * as schema from "./schema";
export * from "./schema";
