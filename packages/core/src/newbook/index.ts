export * from "./classify";
export * from "./client";
export * from "./errors";
export * from "./kitchen-fields";
export * from "./retry";
export * from "./stats";
export * from "./types";
