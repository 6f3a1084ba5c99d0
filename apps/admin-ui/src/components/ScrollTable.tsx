import type { ReactNode } from "react";

/** A header cell: its text, or its text with a key and a class (e.g. "num" for right-aligned figures). */
export type Column = string | { key: string; label: ReactNode; className?: string };

/** A column of figures, right-aligned. */
export const numeric = (label: string, key = label): Column => ({ key, label, className: "num" });

/**
 * A wide table in a box that scrolls sideways on narrow screens, so the page itself never does. Keyboard
 * users reach the box with Tab and scroll it with the arrow keys; screen readers announce it by its label
 * (WCAG 2.1.1).
 */
export function ScrollTable({
  label,
  columns,
  caption,
  className,
  tableClassName = "data-table",
  testId,
  children,
}: {
  label: string;
  /** The header row; without it the children bring their own head. */
  columns?: readonly Column[];
  /** A caption for screen readers only. */
  caption?: string;
  /** Classes of the scrolling box besides table-scroll. */
  className?: string;
  tableClassName?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <section
      className={className ? `table-scroll ${className}` : "table-scroll"}
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must take focus to scroll by keyboard (axe scrollable-region-focusable).
      tabIndex={0}
    >
      <table className={tableClassName} data-testid={testId}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        {columns && (
          <thead>
            <tr>
              {columns.map((column) =>
                typeof column === "string" ? (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ) : (
                  <th scope="col" key={column.key} className={column.className}>
                    {column.label}
                  </th>
                ),
              )}
            </tr>
          </thead>
        )}
        {children}
      </table>
    </section>
  );
}
