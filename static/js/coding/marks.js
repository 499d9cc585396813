// Transient marks on the text, drawn with the CSS Custom Highlight API (no DOM changes, so
// nothing to re-layout and nothing for offsets to skip): the excerpt open in the panel,
// the passage being coded while focus is in the picker, and excerpts not saved yet.
// Also the brief flash of an excerpt opened by a link.

import { spanToRange } from "../offsets.js";

const FLASH_MS = 2400;

export class Marks {
  /**
   * @param {Element} root the transcript
   * @param {import("./store.js").Store} store
   */
  constructor(root, store) {
    this.root = root;
    this.store = store;
  }

  /** The excerpt open in the panel is underlined (`::highlight(gloss-open)`). */
  open(excerpt) {
    const shown = excerpt && this.store.excerpts.has(excerpt);
    this.set("gloss-open", shown ? [spanToRange(this.root, excerpt.start, excerpt.end)] : []);
  }

  /** The passage being coded (`::highlight(gloss-pending)`). */
  pending(range) {
    this.set("gloss-pending", range ? [range] : []);
  }

  /** Every visible excerpt with unsaved changes (`::highlight(gloss-unsaved)`). */
  unsaved() {
    const ranges = [];
    for (const excerpt of this.store.excerpts) {
      if (excerpt.unsaved && this.store.isVisible(excerpt)) {
        ranges.push(spanToRange(this.root, excerpt.start, excerpt.end));
      }
    }
    this.set("gloss-unsaved", ranges);
  }

  set(name, ranges) {
    if (!window.CSS?.highlights) return;
    const present = ranges.filter(Boolean);
    if (present.length) CSS.highlights.set(name, new Highlight(...present));
    else CSS.highlights.delete(name);
  }

  /** Adds the `flash` class to `elements` for a moment (the CSS animates it). */
  flash(elements) {
    for (const el of elements) el.classList.add("flash");
    setTimeout(() => {
      for (const el of elements) el.classList.remove("flash");
    }, FLASH_MS);
  }
}
