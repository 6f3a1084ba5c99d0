export * from "./classify";
export * from "./client";
export * from "./errors";
export { NewbookAgentPool, type NewbookAgents } from "./http-agent";
export * from "./retry";
export * from "./stats";
export * from "./types";
