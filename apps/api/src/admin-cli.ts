import path from "node:path";
import { parseArgs } from "node:util";
import {
  type Config,
  createLogger,
  createQueues,
  encryptionKeysFromConfig,
  type Logger,
  loadConfigOrExit,
  ScheduleOwner,
  SecretBox,
  scheduleOptionsFromConfig,
} from "@occ/core";
import { createDb, type Db, migrate } from "@occ/db";
import type { z } from "zod";
import { runInHoldingProcess } from "./admin-endpoint";
import { ApiError, validationError } from "./errors";
import { kitchenBodySchema, kitchenPatchSchema, userBodySchema, userPatchSchema } from "./schemas/admin";
import { idParam } from "./schemas/common";
import { createKitchen, deleteKitchen, listKitchens, updateKitchen } from "./services/kitchens";
import { reencryptSecrets } from "./services/reencrypt";
import { KitchenScheduler } from "./services/schedule";
import { createUser, deleteUser, listUsers, updateUser } from "./services/users";
import { withTimeout } from "./services/with-timeout";

const USAGE = `Usage: npm run admin -- <command> [options]

  create-kitchen --name NAME --timezone IANA_ZONE
  update-kitchen --id ID [--name NAME] [--timezone IANA_ZONE]
  delete-kitchen --id ID
  list-kitchens
  create-user    --email EMAIL --password PASSWORD --role manager|admin [--kitchen-id ID]
  update-user    --id ID [--email EMAIL] [--password PASSWORD] [--role manager|admin] [--kitchen-id ID|none]
  delete-user    --id ID
  list-users     [--kitchen-id ID]
  reencrypt-secrets   re-encrypts every stored Newbook secret under the newest key (ENCRYPTION_KEYS' first)

Uses DATABASE_URL (or the embedded database in DATA_DIR), like the API. While \`npm start\` runs on that
embedded database, commands go through it (its admin endpoint on 127.0.0.1). Output is JSON.`;

const OPTIONS = {
  name: { type: "string" },
  timezone: { type: "string" },
  id: { type: "string" },
  email: { type: "string" },
  password: { type: "string" },
  role: { type: "string" },
  "kitchen-id": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export type Values = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

/** The same schemas as the HTTP API, so the CLI accepts exactly what the API accepts. */
function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, "options");
  return result.data;
}

function str(values: Values, key: keyof typeof OPTIONS): string | undefined {
  const v = values[key];
  return typeof v === "string" ? v : undefined;
}

function kitchenIdOption(values: Values): number | null | undefined {
  const raw = str(values, "kitchen-id");
  if (raw === undefined) return undefined;
  if (raw === "none" || raw === "null") return null;
  return parse(idParam("kitchen-id"), raw);
}

function requireId(values: Values): number {
  return parse(idParam("id"), str(values, "id") ?? "");
}

/**
 * A relative DATA_DIR means the directory npm was started in (npm runs this workspace's script from
 * apps/api), the same directory `npm start` resolves it against.
 */
export function resolveDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), dataDir);
}

/**
 * The CLI: with the embedded database, a running `npm start` holds it (PGlite is single-process), so the
 * command goes to that process's admin endpoint; otherwise the CLI opens the database itself.
 */
export async function runAdminCommand(command: string, values: Values): Promise<unknown> {
  const config = loadConfigOrExit();
  if (!config.DATABASE_URL) {
    const dataDir = resolveDataDir(config.DATA_DIR);
    const viaHolder = await runInHoldingProcess(dataDir, { command, values });
    if (viaHolder.handled) return viaHolder.result;
    config.DATA_DIR = dataDir;
  }
  const logger = createLogger({ service: "admin-cli", level: "warn", format: config.logFormat });
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(handle);
    return await executeAdminCommand({ db: handle.db, config, logger }, command, values);
  } finally {
    await handle.close();
  }
}

/** One command against an open database: the CLI's own, or the demo process's for the CLI. */
export async function executeAdminCommand(
  ctx: { db: Db; config: Config; logger: Logger },
  command: string,
  values: Values,
): Promise<unknown> {
  const { db, config, logger } = ctx;
  switch (command) {
    case "create-kitchen":
      return await createKitchen(
        db,
        parse(kitchenBodySchema, { name: str(values, "name"), timezone: str(values, "timezone") }),
      );
    case "update-kitchen":
      return await updateKitchen(
        db,
        requireId(values),
        parse(kitchenPatchSchema, { name: str(values, "name"), timezone: str(values, "timezone") }),
      );
    case "delete-kitchen": {
      const id = requireId(values);
      await deleteKitchen(db, id);
      const queues = createQueues({ redis: config.redis, prefix: config.QUEUE_PREFIX });
      for (const queue of [queues.frequent, queues.historical]) queue.on("error", () => undefined);
      const owner = new ScheduleOwner({
        db,
        queues,
        options: scheduleOptionsFromConfig(config),
        redisCall: (call) => withTimeout(call, 2_000, "Redis (job scheduler)"),
      });
      const scheduler = new KitchenScheduler(owner, logger);
      const outcome = await scheduler.applyAfterSave(id);
      await Promise.race([queues.close(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      return { deleted: true, ...outcome };
    }
    case "list-kitchens":
      return { kitchens: await listKitchens(db) };
    case "create-user":
      return await createUser(
        db,
        parse(userBodySchema, {
          email: str(values, "email"),
          password: str(values, "password"),
          role: str(values, "role"),
          kitchen_id: kitchenIdOption(values),
        }),
      );
    case "update-user":
      return await updateUser(
        db,
        requireId(values),
        parse(userPatchSchema, {
          email: str(values, "email"),
          password: str(values, "password"),
          role: str(values, "role"),
          kitchen_id: kitchenIdOption(values),
        }),
      );
    case "delete-user":
      await deleteUser(db, requireId(values));
      return { deleted: true };
    case "list-users": {
      const kitchenId = kitchenIdOption(values);
      return { users: await listUsers(db, { kitchenId: kitchenId ?? undefined }) };
    }
    case "reencrypt-secrets": {
      const keys = encryptionKeysFromConfig(config);
      if (!keys)
        throw new ApiError(400, "missing_keys", "Set ENCRYPTION_KEYS (newest first) or ENCRYPTION_KEY");
      return await reencryptSecrets(db, new SecretBox(keys));
    }
    default:
      throw new ApiError(400, "unknown_command", `Unknown command "${command}"\n\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(command ? 0 : 1);
  }
  try {
    const result = await runAdminCommand(command, values);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    if (error instanceof ApiError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
