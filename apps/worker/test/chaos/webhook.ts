import { startPostReceiver } from "@occ/testkit";
import { z } from "zod";

const postSchema = z.object({
  event: z.enum(["opened", "resolved"]),
  alert: z.object({ id: z.number(), kitchen_id: z.number(), kind: z.string() }),
});
export type AlertPost = z.infer<typeof postSchema> & { path: string };

/**
 * A local alert webhook: keeps every well-formed post, by request path, so scenarios can use a path
 * each; a malformed one is answered 400 and left out.
 */
export async function startWebhookReceiver(): Promise<{
  url: string;
  readonly posts: AlertPost[];
  close(): Promise<void>;
}> {
  const receiver = await startPostReceiver(({ body }) => (postSchema.safeParse(body).success ? 200 : 400));
  return {
    url: receiver.url,
    get posts() {
      return receiver.posts
        .filter((p) => p.status === 200)
        .map((p) => ({ ...postSchema.parse(p.body), path: p.path }));
    },
    close: receiver.close,
  };
}
