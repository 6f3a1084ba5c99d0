import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateEncryptionKey } from "@occ/core";
import { z } from "zod";

const demoSecretsSchema = z.object({
  jwtSecret: z.string().min(32),
  encryptionKey: z.string().min(40),
  adminPassword: z.string().min(10),
  managerPassword: z.string().min(10),
});
export type DemoSecrets = z.infer<typeof demoSecretsSchema>;

const word = () => randomBytes(9).toString("base64url");

/**
 * Demo secrets are generated once and kept in DATA_DIR: the encrypted Newbook credentials in the embedded
 * database stay readable across restarts, and the demo logins stay the same.
 */
export function loadOrCreateDemoSecrets(dataDir: string): DemoSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return demoSecretsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const secrets: DemoSecrets = {
    jwtSecret: randomBytes(48).toString("base64url"),
    encryptionKey: generateEncryptionKey(),
    adminPassword: `admin-${word()}`,
    managerPassword: `kitchen-${word()}`,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
