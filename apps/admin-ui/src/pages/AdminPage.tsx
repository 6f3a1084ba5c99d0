import type { Kitchen, User } from "@occ/api";
import { type FormEvent, useMemo, useState } from "react";
import {
  useCreateKitchen,
  useCreateUser,
  useKitchenList,
  useUpdateKitchen,
  useUpdateUser,
  useUserList,
} from "../api/admin";
import { ApiError, fieldError } from "../api/client";
import { Badge } from "../components/Badge";
import { describedBy, Field } from "../components/Field";
import { MutationStatus } from "../components/MutationStatus";
import { QueryState } from "../components/QueryState";
import { ScrollTable } from "../components/ScrollTable";
import {
  type FormErrors,
  pageMessage,
  timeZones,
  validateKitchen,
  validatePassword,
  validateUser,
} from "../lib/adminForms";
import { useSession } from "../session";

/** A field's message: the page's own check first, else the API's reworded for the page. */
function messageFor<K extends string>(local: FormErrors<K>, error: unknown, field: K): string | undefined {
  if (local[field]) return local[field];
  if (field === "email" && error instanceof ApiError && error.code === "email_taken")
    return pageMessage("email", "already");
  return pageMessage(field, fieldError(error, field));
}

export function AdminPage() {
  const { isAdmin } = useSession();
  if (!isAdmin) {
    return (
      <section className="card">
        <h1>Kitchens &amp; users</h1>
        <p>This page is for administrators.</p>
      </section>
    );
  }
  return (
    <div className="page admin-grid">
      <h1>Kitchens &amp; users</h1>
      <KitchensCard />
      <UsersCard />
    </div>
  );
}

function TimeZoneInput({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: string;
  onChange: (zone: string) => void;
  error?: string;
}) {
  const zones = useMemo(timeZones, []);
  return (
    <Field id={id} label="Time zone" hint="Type to search, e.g. London or Europe/" error={error}>
      <input
        id={id}
        list={`${id}-zones`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { hint: true, error })}
        autoComplete="off"
      />
      <datalist id={`${id}-zones`}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </Field>
  );
}

function KitchenForm({
  idPrefix,
  initial,
  submitLabel,
  onSubmit,
  mutation,
}: {
  idPrefix: string;
  initial: { name: string; timezone: string };
  submitLabel: string;
  onSubmit: (value: { name: string; timezone: string }) => void;
  mutation: { isPending: boolean; isSuccess: boolean; isError: boolean; error: unknown };
}) {
  const [name, setName] = useState(initial.name);
  const [timezone, setTimezone] = useState(initial.timezone);
  const [local, setLocal] = useState<FormErrors<"name" | "timezone">>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors = validateKitchen({ name, timezone });
    setLocal(errors);
    if (Object.keys(errors).length === 0) onSubmit({ name: name.trim(), timezone: timezone.trim() });
  };
  const nameError = messageFor(local, mutation.error, "name");
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <Field id={`${idPrefix}-name`} label="Kitchen name" error={nameError}>
        <input
          id={`${idPrefix}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={describedBy(`${idPrefix}-name`, { error: nameError })}
        />
      </Field>
      <TimeZoneInput
        id={`${idPrefix}-timezone`}
        value={timezone}
        onChange={setTimezone}
        error={messageFor(local, mutation.error, "timezone")}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={mutation.isPending}>
          {submitLabel}
        </button>
        <MutationStatus mutation={mutation} />
      </div>
    </form>
  );
}

function KitchensCard() {
  const kitchens = useKitchenList();
  const create = useCreateKitchen();
  const [formKey, setFormKey] = useState(0);
  return (
    <section className="card" aria-labelledby="kitchens-title">
      <h2 id="kitchens-title">Kitchens</h2>
      <h3>New kitchen</h3>
      <KitchenForm
        key={formKey}
        idPrefix="new-kitchen"
        initial={{ name: "", timezone: "Europe/London" }}
        submitLabel="Create kitchen"
        mutation={create}
        onSubmit={(value) => create.mutate(value, { onSuccess: () => setFormKey((n) => n + 1) })}
      />
      <QueryState query={kitchens}>
        {(data) => (
          <ScrollTable label="Kitchens" columns={["Kitchen", "Time zone", "Edit"]} testId="admin-kitchens">
            <tbody>
              {data.kitchens.map((k) => (
                <KitchenRow key={k.id} kitchen={k} />
              ))}
            </tbody>
          </ScrollTable>
        )}
      </QueryState>
    </section>
  );
}

function KitchenRow({ kitchen }: { kitchen: Kitchen }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateKitchen();
  return (
    <tr data-kitchen-id={kitchen.id}>
      <th scope="row">{kitchen.name}</th>
      <td>{kitchen.timezone}</td>
      <td>
        {editing ? (
          <KitchenForm
            idPrefix={`kitchen-${kitchen.id}`}
            initial={kitchen}
            submitLabel="Save"
            mutation={update}
            onSubmit={(value) =>
              update.mutate({ id: kitchen.id, ...value }, { onSuccess: () => setEditing(false) })
            }
          />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </td>
    </tr>
  );
}

function UsersCard() {
  const users = useUserList();
  const kitchens = useKitchenList();
  const create = useCreateUser();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<"manager" | "admin">("manager");
  const [kitchenId, setKitchenId] = useState<number | null>(null);
  const [local, setLocal] = useState<FormErrors<"email" | "password" | "kitchen_id">>({});
  const kitchenName = new Map((kitchens.data?.kitchens ?? []).map((k) => [k.id, k.name]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors = validateUser({ email, password, role, kitchenId });
    setLocal(errors);
    if (Object.keys(errors).length > 0) return;
    create.mutate(
      { email: email.trim(), password, role, kitchen_id: role === "manager" ? kitchenId : null },
      {
        onSuccess: () => {
          setEmail("");
          setPassword("");
        },
      },
    );
  };
  const errors = {
    email: messageFor(local, create.error, "email"),
    password: messageFor(local, create.error, "password"),
    kitchen_id: messageFor(local, create.error, "kitchen_id"),
  };
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <h3>New user</h3>
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field id="new-user-email" label="E-mail" error={errors.email}>
          <input
            id="new-user-email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={describedBy("new-user-email", { error: errors.email })}
          />
        </Field>
        <Field
          id="new-user-password"
          label="First password"
          hint="At least 10 characters"
          error={errors.password}
        >
          <input
            id="new-user-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={describedBy("new-user-password", { hint: true, error: errors.password })}
          />
        </Field>
        <Field id="new-user-role" label="Role">
          <select
            id="new-user-role"
            value={role}
            onChange={(e) => setRole(e.target.value as "manager" | "admin")}
          >
            <option value="manager">Kitchen manager</option>
            <option value="admin">Administrator</option>
          </select>
        </Field>
        {role === "manager" && (
          <Field id="new-user-kitchen" label="Kitchen" error={errors.kitchen_id}>
            <select
              id="new-user-kitchen"
              value={kitchenId ?? ""}
              onChange={(e) => setKitchenId(e.target.value === "" ? null : Number(e.target.value))}
              aria-invalid={errors.kitchen_id ? true : undefined}
              aria-describedby={describedBy("new-user-kitchen", { error: errors.kitchen_id })}
            >
              <option value="">Choose a kitchen…</option>
              {(kitchens.data?.kitchens ?? []).map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={create.isPending}>
            Create user
          </button>
          <MutationStatus mutation={create} success="User created" />
        </div>
      </form>
      <QueryState query={users}>
        {(data) => (
          <ScrollTable label="Users" columns={["User", "Role", "Status", "Actions"]} testId="admin-users">
            <tbody>
              {data.users.map((u) => (
                <UserRow
                  key={u.id}
                  user={u}
                  kitchenName={u.kitchen_id === null ? null : (kitchenName.get(u.kitchen_id) ?? null)}
                  kitchens={kitchens.data?.kitchens ?? []}
                />
              ))}
            </tbody>
          </ScrollTable>
        )}
      </QueryState>
    </section>
  );
}

function UserRow({
  user,
  kitchenName,
  kitchens,
}: {
  user: User;
  kitchenName: string | null;
  kitchens: Kitchen[];
}) {
  const { me } = useSession();
  const update = useUpdateUser();
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState("");
  const [passwordError, setPasswordError] = useState<string | undefined>();
  const self = me?.user.id === user.id;
  const changeRole = (value: string) => {
    if (value === "admin") update.mutate({ id: user.id, role: "admin", kitchen_id: null });
    else update.mutate({ id: user.id, role: "manager", kitchen_id: Number(value) });
  };
  const reset = (e: FormEvent) => {
    e.preventDefault();
    const error = validatePassword(password);
    setPasswordError(error);
    if (error) return;
    update.mutate(
      { id: user.id, password },
      {
        onSuccess: () => {
          setResetting(false);
          setPassword("");
        },
      },
    );
  };
  const roleValue = user.role === "admin" ? "admin" : String(user.kitchen_id ?? "");
  return (
    <tr data-user-id={user.id}>
      <th scope="row">
        {user.email}
        {self && <span className="muted small"> (you)</span>}
      </th>
      <td>
        <label className="visually-hidden" htmlFor={`user-${user.id}-role`}>
          Role of {user.email}
        </label>
        <select
          id={`user-${user.id}-role`}
          value={roleValue}
          disabled={self || update.isPending}
          onChange={(e) => changeRole(e.target.value)}
        >
          <option value="admin">Administrator</option>
          {kitchens.map((k) => (
            <option key={k.id} value={String(k.id)}>
              Manager of {k.name}
            </option>
          ))}
        </select>
        {user.role === "manager" && kitchenName === null && (
          <div className="muted small">kitchen unknown</div>
        )}
      </td>
      <td>{user.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Deactivated</Badge>}</td>
      <td>
        <div className="form-actions">
          {resetting ? (
            <form className="inline-form" onSubmit={reset} noValidate>
              <Field id={`user-${user.id}-password`} label="New password" error={passwordError}>
                <input
                  id={`user-${user.id}-password`}
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  aria-invalid={passwordError ? true : undefined}
                  aria-describedby={describedBy(`user-${user.id}-password`, { error: passwordError })}
                />
              </Field>
              <button type="submit">Set password and sign them out</button>
            </form>
          ) : (
            <button type="button" onClick={() => setResetting(true)}>
              Reset password
            </button>
          )}
          {!self && (
            <button type="button" onClick={() => update.mutate({ id: user.id, active: !user.active })}>
              {user.active ? "Deactivate" : "Reactivate"}
            </button>
          )}
          <MutationStatus
            mutation={update}
            success={user.active ? "Saved" : "Deactivated: signed out everywhere"}
          />
        </div>
      </td>
    </tr>
  );
}
