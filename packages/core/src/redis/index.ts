export * from "./clients";
export * from "./connection";
