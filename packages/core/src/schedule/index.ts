export * from "./busy-hours";
export * from "./desired";
export * from "./owner";
