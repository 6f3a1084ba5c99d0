/**
 * One worker process for the shared-budget test: its own Redis connection and Newbook client, making
 * `requests` calls against the simulator under the shared sliding-window limiter. Input: JSON in argv[2].
 */
import { Redis } from "ioredis";
import { NewbookClient } from "../../newbook/client";
import { SlidingWindowRateLimiter } from "../sliding-window";

interface Input {
  baseUrl: string;
  region: string;
  username: string;
  password: string;
  apiKey: string;
  redisUrl: string;
  prefix: string;
  limit: number;
  windowMs: number;
  guardMs: number;
  requests: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? "{}") as Input;
  const redis = new Redis(input.redisUrl, { lazyConnect: true });
  await redis.connect();
  const client = new NewbookClient({
    baseUrl: input.baseUrl,
    region: input.region,
    username: input.username,
    password: input.password,
    apiKey: input.apiKey,
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    maxRetries: 2,
    retryBaseMs: 100,
    retryMaxTotalMs: 10_000,
    rateLimiter: new SlidingWindowRateLimiter({
      redis,
      prefix: input.prefix,
      limit: input.limit,
      windowMs: input.windowMs,
      guardMs: input.guardMs,
    }),
  });
  try {
    for (let i = 0; i < input.requests; i++) await client.authTest();
    process.stdout.write(JSON.stringify({ completed: input.requests, calls: client.stats.totalCalls }));
  } finally {
    client.close();
    await redis.quit();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
