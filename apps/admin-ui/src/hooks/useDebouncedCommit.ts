import { useCallback, useEffect, useRef } from "react";

/**
 * Commits the last value scheduled once `delayMs` have passed without another, or at once on flush()
 * (the control lost focus). Arrowing through a select fires a change per option passed: only the value
 * the reader stops at is saved, once.
 */
export function useDebouncedCommit<T>(commit: (value: T) => void, delayMs: number) {
  const pending = useRef<{ value: T } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestCommit = useRef(commit);
  latestCommit.current = commit;

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const next = pending.current;
    pending.current = null;
    if (next) latestCommit.current(next.value);
  }, []);

  const schedule = useCallback(
    (value: T) => {
      pending.current = { value };
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(flush, delayMs);
    },
    [flush, delayMs],
  );

  // A change still waiting when the form goes away (navigating off the page) is saved, not lost.
  useEffect(() => flush, [flush]);
  return { schedule, flush };
}
