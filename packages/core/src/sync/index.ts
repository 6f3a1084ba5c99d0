export * from "./booking-rows";
export * from "./derive";
export * from "./meals";
export * from "./window";
