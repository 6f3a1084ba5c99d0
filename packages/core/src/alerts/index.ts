export * from "./alerting";
export * from "./notifier";
export * from "./policy";
export * from "./store";
export * from "./outage";
