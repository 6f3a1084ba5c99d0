export * from "./allowed-hosts";
export * from "./classify";
export * from "./client";
export * from "./errors";
export * from "./limits";
export * from "./retry";
export * from "./stats";
export * from "./types";
