export * from "./kitchen-events";
