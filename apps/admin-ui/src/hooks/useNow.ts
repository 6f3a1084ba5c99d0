import { useEffect, useState } from "react";

/**
 * The current time at render, with a re-render every `intervalMs` so relative times ("3 min ago")
 * keep moving. Read fresh on every render: a timestamp that just arrived must not look like the future.
 */
export function useNow(intervalMs = 30_000): Date {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return new Date();
}
