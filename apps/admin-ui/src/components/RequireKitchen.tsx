import type { ReactNode } from "react";
import { useSession } from "../session";

/** Kitchen pages need a kitchen; an admin without one picks it in the header first. */
export function RequireKitchen({ children }: { children: ReactNode }) {
  const { kitchen } = useSession();
  if (!kitchen) {
    return (
      <section className="card" data-testid="choose-kitchen">
        <h2>Choose a kitchen</h2>
        <p>Pick a kitchen in the header to see its sync status, occupancy and settings.</p>
      </section>
    );
  }
  return <>{children}</>;
}
