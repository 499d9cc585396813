// Code colours as CSS. A highlighted segment gets one class per combination of colours
// (e.g. "these three codes cover this text"), defined once in a constructed stylesheet,
// so thousands of segments share a few dozen rules instead of parsing inline styles.

/** How strongly a code tints text: light enough to read through several layers. */
const TINT_ALPHA = 0.32;

/** `#rrggbb` (as the server stores colours) to `rgba(r, g, b, alpha)`. */
export function tint(hex, alpha = TINT_ALPHA) {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? "");
  if (!match) return `rgba(128, 128, 128, ${alpha})`;
  const [r, g, b] = match.slice(1).map((part) => parseInt(part, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The colour shown for an excerpt without any code. */
export const UNCODED_COLOR = "#9a9ca1";

/**
 * Stacked horizontal bands, one per colour, so every code covering a character is visible
 * at once (colours never blend into a new, misleading one).
 * @param {string[]} colors
 */
export function bandsBackground(colors) {
  if (colors.length === 1) return `linear-gradient(${tint(colors[0])}, ${tint(colors[0])})`;
  const step = 100 / colors.length;
  const stops = colors.map((color, i) => {
    const from = (i * step).toFixed(3);
    const to = ((i + 1) * step).toFixed(3);
    return `${tint(color)} ${from}% ${to}%`;
  });
  return `linear-gradient(to bottom, ${stops.join(", ")})`;
}

export class Palette {
  constructor() {
    this.sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
    /** @type {Map<string, string>} colour list → class name */
    this.classes = new Map();
  }

  /** The class for a segment showing these colours (in order, duplicates removed). */
  classFor(colors) {
    const distinct = colors.filter((color, i) => colors.indexOf(color) === i);
    const key = distinct.join(" ");
    let name = this.classes.get(key);
    if (!name) {
      name = `hl-${this.classes.size}`;
      this.sheet.insertRule(`.hl.${name} { background-image: ${bandsBackground(distinct)}; }`);
      this.classes.set(key, name);
    }
    return name;
  }
}
