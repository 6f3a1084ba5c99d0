import { useEffect } from "react";
import { useOpenBullBoard } from "../api/admin";
import { errorMessage } from "../api/client";
import { useSession } from "../session";

/**
 * Where /admin/queues sends a browser without a board session: a signed-in admin gets one (a cookie
 * scoped to the board) and goes straight back to Bull Board.
 */
export function OpenQueuesPage() {
  const { isAdmin } = useSession();
  const open = useOpenBullBoard();
  const { mutate } = open;
  useEffect(() => {
    if (isAdmin) mutate(undefined, { onSuccess: (session) => window.location.replace(session.path) });
  }, [isAdmin, mutate]);
  return (
    <section className="card" aria-live="polite">
      <h1>Queue dashboard</h1>
      {!isAdmin && <p>The queue dashboard is for administrators.</p>}
      {isAdmin && !open.isError && <p>Opening Bull Board…</p>}
      {open.isError && <p className="status-error">{errorMessage(open.error)}</p>}
    </section>
  );
}
