export * from "./alerting";
export * from "./notifier";
export * from "./outage";
export * from "./policy";
export * from "./store";
export * from "./texts";
