export * from "./deferring";
export * from "./rate-limiter";
export * from "./sliding-window";
