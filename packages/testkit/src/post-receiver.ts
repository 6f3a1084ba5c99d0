import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedPost<T> {
  path: string;
  body: T;
  /** The status the receiver answered with. */
  status: number;
}

export interface PostReceiver<T> {
  /** http://127.0.0.1:<port>, without a path: a test may post to any path, and each post keeps its own. */
  url: string;
  posts: Array<ReceivedPost<T>>;
  close(): Promise<void>;
}

/**
 * A local HTTP endpoint standing in for a webhook (alert or change webhook): records every JSON post
 * with its path and answers with `status(path)` (200 unless told otherwise, e.g. to make the sender retry).
 */
export async function startPostReceiver<T = unknown>(
  status: (path: string) => number = () => 200,
): Promise<PostReceiver<T>> {
  const posts: Array<ReceivedPost<T>> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      const answer = status(path);
      posts.push({ path, body: JSON.parse(body) as T, status: answer });
      res.writeHead(answer).end(answer === 200 ? "ok" : "try later");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
