export * from "./advisory-locks";
export * from "./client";
export * from "./fleet";
export * from "./migrate";
export * as schema from "./schema";
export * from "./schema";
