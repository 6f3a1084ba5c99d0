import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

const postSchema = z.object({
  event: z.enum(["opened", "resolved"]),
  alert: z.object({ id: z.number(), kitchen_id: z.number(), kind: z.string() }),
});
export type AlertPost = z.infer<typeof postSchema> & { path: string };

/** A local alert webhook: records every post, by request path, so scenarios can use a path each. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  posts: AlertPost[];
  close(): Promise<void>;
}> {
  const posts: AlertPost[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // Not JSON: rejected below like any other malformed post.
      }
      const parsed = postSchema.safeParse(json);
      if (!parsed.success) {
        res.writeHead(400).end();
        return;
      }
      posts.push({ ...parsed.data, path: req.url ?? "/" });
      res.writeHead(200).end("ok");
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
