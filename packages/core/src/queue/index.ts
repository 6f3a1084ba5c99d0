export * from "./interval";
export * from "./names";
export * from "./queues";
export * from "./schedule";
