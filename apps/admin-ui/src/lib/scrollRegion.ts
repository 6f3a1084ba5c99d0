/**
 * Attributes of a box that scrolls sideways on narrow screens (wide tables): keyboard users reach it with
 * Tab and scroll it with the arrow keys, and screen readers announce it by name (WCAG 2.1.1).
 */
export function scrollRegion(label: string) {
  return { tabIndex: 0, role: "region", "aria-label": label } as const;
}
