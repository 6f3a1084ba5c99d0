export type { FaultSpec, FaultType } from "./faults";
export { FAULT_TYPES } from "./faults";
export { type GenerateOptions, generateProperty } from "./generator";
export { mulberry32, type Rng } from "./prng";
export { LIST_TYPES, type ListType } from "./queries";
export { bookingToWire, type Json, type JsonObject } from "./serialize";
export { type RunningSimulator, type SimulatorOptions, startSimulator } from "./server";
export { STATUS_CASINGS, type StatusCasing, type Switches } from "./switches";
export type {
  Booking,
  BookingStatus,
  Category,
  GlAccount,
  Guest,
  InventoryItem,
  MealPlan,
  PropertyData,
  SimProperty,
  Site,
  SiteStatus,
  TariffQuoted,
} from "./types";
export { BOOKING_STATUSES, MEAL_PLANS } from "./types";
