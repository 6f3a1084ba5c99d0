import { addDays, localDateIn } from "@occ/core";
import type { Rng, SimProperty } from "@occ/newbook-sim";
import { SimControlError } from "@occ/testkit";
import { z } from "zod";

type Control = <T>(method: string, pathname: string, body?: unknown) => Promise<T>;

const createdBooking = z.object({ booking_id: z.union([z.string(), z.number()]).transform(String) });

const MEALS = ["none", "bb", "dbb"] as const;

function pick<T>(random: Rng, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * Changes the simulator's bookings inside the next days while a scenario runs, so a sync that lost
 * or reordered work would leave figures that differ from a clean sync. New bookings and cancellations
 * of earlier ones alternate at random.
 */
export class BookingChurn {
  changes = 0;
  private readonly added: Array<{ propertyId: string; bookingId: string }> = [];

  constructor(
    private readonly control: Control,
    private readonly properties: readonly SimProperty[],
    private readonly random: Rng,
  ) {}

  async change(): Promise<void> {
    const cancel = this.added.length > 0 && this.random() < 0.3;
    if (cancel) {
      const [victim] = this.added.splice(Math.floor(this.random() * this.added.length), 1);
      await this.control("POST", `/properties/${victim!.propertyId}/bookings/${victim!.bookingId}/cancel`);
    } else {
      const property = pick(this.random, this.properties);
      const arrival = addDays(localDateIn(property.timezone), Math.floor(this.random() * 5));
      const body = {
        arrival,
        departure: addDays(arrival, 1 + Math.floor(this.random() * 3)),
        adults: 1 + Math.floor(this.random() * 3),
        children: Math.floor(this.random() * 2),
        meals: pick(this.random, MEALS),
      };
      // A full hotel answers 409: that is no change, and not the scenario's concern.
      const created = await this.control<unknown>("POST", `/properties/${property.id}/bookings`, body).catch(
        (error: unknown) => {
          if (error instanceof SimControlError && error.status === 409) return null;
          throw error;
        },
      );
      if (created === null) return;
      this.added.push({ propertyId: property.id, bookingId: createdBooking.parse(created).booking_id });
    }
    this.changes++;
  }
}
