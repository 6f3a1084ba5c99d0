import { useCallback, useEffect } from "react";
import { useOpenBullBoard } from "../api/admin";
import { ErrorNotice } from "../components/ErrorNotice";
import { useSession } from "../session";

/**
 * Where /admin/queues sends a browser without a board session: a signed-in admin gets one (a cookie
 * scoped to the board) and goes straight back to Bull Board.
 */
export function OpenQueuesPage() {
  const { isAdmin } = useSession();
  const open = useOpenBullBoard();
  const { mutate } = open;
  const openBoard = useCallback(
    () => mutate(undefined, { onSuccess: (session) => window.location.replace(session.path) }),
    [mutate],
  );
  useEffect(() => {
    if (isAdmin) openBoard();
  }, [isAdmin, openBoard]);
  return (
    <section className="card" aria-live="polite">
      <h1>Queue dashboard</h1>
      {!isAdmin && <p>The queue dashboard is for administrators.</p>}
      {isAdmin && !open.isError && <p>Opening Bull Board…</p>}
      {open.isError && <ErrorNotice error={open.error} onRetry={openBoard} />}
    </section>
  );
}
