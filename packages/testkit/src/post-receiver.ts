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
 * A local HTTP endpoint standing in for a webhook (alert or change webhook): records every post with
 * its path and its body (parsed JSON; null when it is not JSON) and answers with `status(post)`: 200
 * unless told otherwise, e.g. to make the sender retry or to refuse a malformed post.
 */
export async function startPostReceiver<T = unknown>(
  status: (post: { path: string; body: unknown }) => number = () => 200,
): Promise<PostReceiver<T>> {
  const posts: Array<ReceivedPost<T>> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const post = { path: req.url ?? "/", body: parseJson(body) };
      const answer = status(post);
      posts.push({ ...post, body: post.body as T, status: answer });
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
