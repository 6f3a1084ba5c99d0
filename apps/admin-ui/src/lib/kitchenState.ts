import type { KitchenState } from "@occ/api";
import type { BadgeTone } from "./syncBadge";

export const KITCHEN_STATE_LABELS: Record<KitchenState, string> = {
  failing: "Failing",
  stale: "Stale",
  never_synced: "Never synced",
  running: "Running",
  ok: "OK",
  disabled: "Disabled",
  not_connected: "Not connected",
};

export function kitchenStateTone(state: KitchenState): BadgeTone {
  switch (state) {
    case "failing":
      return "red";
    case "stale":
      return "amber";
    case "running":
      return "orange";
    case "ok":
      return "green";
    default:
      return "grey";
  }
}
