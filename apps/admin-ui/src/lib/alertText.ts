/** An alert's text cut where it names a time, so the page can add how long ago or how soon it is. */

export interface AlertTime {
  /** The instant (ISO). */
  at: string;
  /** As the message shows it: the kitchen's clock, "18:06". */
  clock: string;
}

export type AlertSegment = { text: string } | { time: AlertTime };

/**
 * Splits `message` at each clock time the API says it names ("since 18:06" -> "since ", 18:06). A clock
 * that does not occur (the kitchen's zone changed since) is left out; nothing of the message is lost.
 */
export function alertSegments(message: string, times: readonly AlertTime[]): AlertSegment[] {
  const segments: AlertSegment[] = [];
  let rest = message;
  // Each time once, in the order the message names them.
  const pending = [...times];
  while (pending.length > 0) {
    const found = pending
      .map((time) => ({ time, index: rest.search(new RegExp(`\\b${time.clock}\\b`)) }))
      .filter((f) => f.index >= 0)
      .sort((a, b) => a.index - b.index)[0];
    if (!found) break;
    if (found.index > 0) segments.push({ text: rest.slice(0, found.index) });
    segments.push({ time: found.time });
    rest = rest.slice(found.index + found.time.clock.length);
    pending.splice(pending.indexOf(found.time), 1);
  }
  if (rest !== "") segments.push({ text: rest });
  return segments;
}
