import type { KitchenInfo } from "@occ/api";
import "../kitchen-day.css";
import { dietaryChips } from "../lib/kitchenDay";

/** A booking's kitchen facts as chips: dietary needs (whose, on hover), VIP, group and notes. */
export function KitchenChips({ info }: { info: KitchenInfo }) {
  const { vip, group_name: group } = info;
  const dietary = dietaryChips(info.dietary);
  const notes = [...new Set(info.notes)];
  if (dietary.length === 0 && !vip && !group && notes.length === 0) return null;
  return (
    <span className="chips">
      {vip && <span className="chip chip-vip">VIP</span>}
      {dietary.map((d) => (
        <span key={d.requirement} className="chip chip-diet" title={d.title}>
          {d.label}
        </span>
      ))}
      {group && (
        <span className="chip chip-group" title={`Group: ${group}`}>
          {group}
        </span>
      )}
      {notes.map((note) => (
        <span key={note} className="chip chip-note" title={note}>
          {note}
        </span>
      ))}
    </span>
  );
}
