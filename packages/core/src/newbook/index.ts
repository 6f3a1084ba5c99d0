export * from "./allowed-hosts";
export * from "./classify";
export * from "./client";
export * from "./errors";
export { NewbookAgentPool, type NewbookAgents } from "./http-agent";
export * from "./limits";
export * from "./retry";
export * from "./stats";
export * from "./types";
