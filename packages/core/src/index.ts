export * from "./config";
export * from "./logger";
export * from "./newbook";
export * from "./queue";
export * from "./ratelimit";
export * from "./redact";
export * from "./sync";
export * from "./time";
