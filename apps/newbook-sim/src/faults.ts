import { z } from "zod";

export const FAULT_TYPES = [
  "http500",
  "http502",
  "http503",
  "http429",
  "hang",
  "malformed_json",
  "success_false",
  "http401",
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export const faultSchema = z
  .object({
    type: z.enum(FAULT_TYPES),
    /** How many requests it affects; omitted = until cleared. */
    count: z.number().int().min(1).optional(),
    /** Only requests for these actions match. */
    actions: z.array(z.string().min(1)).min(1).optional(),
    /** Let this many matching requests succeed first (to fail in the middle of paging). */
    after: z.number().int().min(0).optional(),
    retry_after_seconds: z.number().int().min(0).optional(),
  })
  .strict();
export type FaultSpec = z.infer<typeof faultSchema>;

interface ActiveFault {
  spec: FaultSpec;
  passed: number;
  applied: number;
}

/** Injected failures per property; the first matching, not yet exhausted fault wins. */
export class Faults {
  private readonly byProperty = new Map<string, ActiveFault[]>();

  add(propertyId: string, spec: FaultSpec): void {
    const list = this.byProperty.get(propertyId) ?? [];
    list.push({ spec, passed: 0, applied: 0 });
    this.byProperty.set(propertyId, list);
  }

  clear(propertyId?: string): void {
    if (propertyId === undefined) this.byProperty.clear();
    else this.byProperty.delete(propertyId);
  }

  list(propertyId: string): FaultSpec[] {
    return (this.byProperty.get(propertyId) ?? []).map((f) => f.spec);
  }

  /** Consumes and returns the fault this request suffers, if any. */
  take(propertyId: string, action: string): FaultSpec | undefined {
    const list = this.byProperty.get(propertyId);
    if (!list) return undefined;
    let hit: FaultSpec | undefined;
    for (const f of list) {
      if (f.spec.actions && !f.spec.actions.includes(action)) continue;
      if (f.passed < (f.spec.after ?? 0)) {
        f.passed++;
        continue;
      }
      f.applied++;
      hit = f.spec;
      break;
    }
    const remaining = list.filter((f) => f.spec.count === undefined || f.applied < f.spec.count);
    if (remaining.length === 0) this.byProperty.delete(propertyId);
    else this.byProperty.set(propertyId, remaining);
    return hit;
  }
}
