/** One server-sent event: its name (default "message") and its data lines joined. */
export interface SseFrame {
  event: string;
  data: string;
}

/**
 * Incremental text/event-stream parser (the subset our API sends: event, data, comments, retry):
 * feed it chunks as they arrive; it returns the complete frames and keeps the partial rest.
 */
export function createSseParser(): (chunk: string) => SseFrame[] {
  let buffer = "";
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, "\n");
    const frames: SseFrame[] = [];
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) frames.push({ event, data: data.join("\n") });
      end = buffer.indexOf("\n\n");
    }
    return frames;
  };
}
