import type { Db, Role } from "@occ/db";
import { users } from "@occ/db";
import { asc, count, eq, sql } from "drizzle-orm";
import { ApiError, conflict, isUniqueViolation } from "../errors";
import { findKitchen } from "./kitchens";
import { hashPassword } from "./passwords";

export interface UserView {
  id: number;
  email: string;
  role: Role;
  kitchen_id: number | null;
  active: boolean;
  deactivated_at: string | null;
  created_at: string;
}

type UserRow = typeof users.$inferSelect;

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    kitchen_id: row.kitchenId,
    active: row.deactivatedAt === null,
    deactivated_at: row.deactivatedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row ?? null;
}

export async function findUserById(db: Db, id: number): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

async function checkAssignment(db: Db, role: Role, kitchenId: number | null): Promise<void> {
  if (role === "manager" && kitchenId === null)
    throw ApiError.badRequest("validation_error", "kitchen_id: a manager must belong to a kitchen", [
      { field: "kitchen_id", message: "a manager must belong to a kitchen" },
    ]);
  if (kitchenId !== null && !(await findKitchen(db, kitchenId)))
    throw ApiError.badRequest("validation_error", `kitchen_id: kitchen ${kitchenId} does not exist`, [
      { field: "kitchen_id", message: `kitchen ${kitchenId} does not exist` },
    ]);
}

function emailTaken(email: string): ApiError {
  return conflict("email_taken", `A user with e-mail ${email} already exists`);
}

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  kitchen_id: number | null;
}

export async function createUser(db: Db, input: NewUser): Promise<UserView> {
  await checkAssignment(db, input.role, input.kitchen_id);
  if (await findUserByEmail(db, input.email)) throw emailTaken(input.email);
  try {
    const [row] = await db
      .insert(users)
      .values({
        email: input.email,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        kitchenId: input.kitchen_id,
      })
      .returning();
    return userView(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(input.email);
    throw error;
  }
}

export async function listUsers(db: Db, filter: { kitchenId?: number } = {}): Promise<UserView[]> {
  const rows = await db
    .select()
    .from(users)
    .where(filter.kitchenId === undefined ? undefined : eq(users.kitchenId, filter.kitchenId))
    .orderBy(asc(users.id));
  return rows.map(userView);
}

export interface UserPatch extends Partial<NewUser> {
  /** false deactivates (sign-in refused, sessions ended); true reactivates. */
  active?: boolean;
}

/**
 * A new password or a deactivation ends the user's sessions: the token version goes up, so every
 * token issued before no longer matches the row the API reads on each request.
 */
export async function updateUser(db: Db, id: number, patch: UserPatch): Promise<UserView> {
  const current = await findUserById(db, id);
  if (!current) throw ApiError.notFound("User");
  const role = patch.role ?? (current.role as Role);
  const kitchenId = patch.kitchen_id === undefined ? current.kitchenId : patch.kitchen_id;
  await checkAssignment(db, role, kitchenId);
  if (patch.email && patch.email.toLowerCase() !== current.email.toLowerCase()) {
    if (await findUserByEmail(db, patch.email)) throw emailTaken(patch.email);
  }
  try {
    const [row] = await db
      .update(users)
      .set({
        email: patch.email ?? current.email,
        role,
        kitchenId,
        ...(patch.password ? { passwordHash: await hashPassword(patch.password) } : {}),
        // A new password or role, or a deactivation, ends every session opened before it.
        ...(patch.active === undefined
          ? {}
          : { deactivatedAt: patch.active ? null : (current.deactivatedAt ?? new Date()) }),
        ...(patch.password || role !== current.role || patch.active === false
          ? { tokenVersion: sql`${users.tokenVersion} + 1` }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(users.id, id))
      .returning();
    return userView(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken(patch.email ?? current.email);
    throw error;
  }
}

/** "Log out everywhere": every token and Bull Board cookie issued so far stops working. */
export async function bumpTokenVersion(db: Db, id: number): Promise<void> {
  await db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: new Date() })
    .where(eq(users.id, id));
}

export async function deleteUser(db: Db, id: number): Promise<void> {
  const deleted = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
  if (deleted.length === 0) throw ApiError.notFound("User");
}

/**
 * The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD, when nobody exists yet. Replicas starting together
 * race here; the unique e-mail index lets exactly one insert win.
 */
export async function ensureFirstAdmin(
  db: Db,
  credentials: { email?: string; password?: string },
): Promise<UserView | null> {
  if (!credentials.email || !credentials.password) return null;
  const [row] = await db.select({ n: count() }).from(users);
  if ((row?.n ?? 0) > 0) return null;
  try {
    return await createUser(db, {
      email: credentials.email,
      password: credentials.password,
      role: "admin",
      kitchen_id: null,
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === "email_taken") return null;
    throw error;
  }
}
