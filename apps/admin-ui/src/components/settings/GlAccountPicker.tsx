import type { GlAccount } from "@occ/api";
import { describedBy, Field } from "../Field";

/**
 * Multi-select of GL accounts. Until "Test connection" has listed the accounts, the saved ids are still
 * offered (by id) so saving the form does not drop them.
 */
export function GlAccountPicker({
  id,
  label,
  accounts,
  selected,
  onChange,
  error,
}: {
  id: string;
  label: string;
  accounts: GlAccount[];
  selected: string[];
  onChange: (ids: string[]) => void;
  error: string | undefined;
}) {
  const known = new Set(accounts.map((a) => a.id));
  const options = [
    ...accounts.map((a) => ({
      id: a.id,
      text: `${a.code ? `${a.code} — ` : ""}${a.name}${a.group ? ` (${a.group})` : ""}`,
    })),
    ...selected.filter((sid) => !known.has(sid)).map((sid) => ({ id: sid, text: `Account ${sid}` })),
  ];
  const hint =
    accounts.length === 0
      ? "Run “Test connection” to list the accounts."
      : "Ctrl/Cmd-click to select several.";
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        multiple
        size={Math.min(6, Math.max(3, options.length))}
        value={selected}
        onChange={(e) => onChange(Array.from(e.target.selectedOptions, (o) => o.value))}
        aria-describedby={describedBy(id, { hint: true, error })}
      >
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.text}
          </option>
        ))}
      </select>
    </Field>
  );
}
