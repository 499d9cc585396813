// The find bar of the coding page: type, and every hit in the transcript is highlighted;
// Enter / Shift+Enter step through them, Esc closes the bar and leaves the current hit
// selected in the text, ready to code. Hits come from find-text.js (code points into the
// stored text, one turn at a time); they are drawn with the CSS Custom Highlight API
// (`::highlight(find-hit)`, `::highlight(find-current)`), so the transcript's DOM, and with
// it every offset computation, excerpt highlight and stripe, stays untouched.

import { offsetsToDomPoints } from "../offsets.js";
import { findHits, firstHitFrom } from "./find-text.js";

const DEBOUNCE_MS = 150;
const HITS = "find-hit";
const CURRENT = "find-current";

/** Live ranges over `hits` (all in one block), or static ones, cheaper, for the many. */
function rangesInBlock(block, hits, live = false) {
  const requests = hits.flatMap((hit) => [
    { offset: hit.start, affinity: "forward" },
    { offset: hit.end, affinity: "backward" },
  ]);
  const points = offsetsToDomPoints(block.el, requests);
  return hits.map((_, i) => {
    const [start, end] = [points[2 * i], points[2 * i + 1]];
    const bounds = { startContainer: start.node, startOffset: start.offset, endContainer: end.node, endOffset: end.offset };
    if (!live) return new StaticRange(bounds);
    const range = document.createRange();
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    return range;
  });
}

/** Static ranges over `hits` (in document order), one pass over each block's text. */
function rangesOf(hits) {
  const ranges = [];
  for (let from = 0; from < hits.length; ) {
    const block = hits[from].block;
    let to = from;
    while (to < hits.length && hits[to].block === block) to++;
    ranges.push(...rangesInBlock(block, hits.slice(from, to)));
    from = to;
  }
  return ranges;
}

function highlights() {
  return window.CSS?.highlights ?? null;
}

export class FindBar {
  /**
   * @param {Element} toolbar the coding toolbar, holding the bar and its toggle button
   * @param {object} page
   * @param {Element} page.root the transcript
   * @param {{start: number, end: number, text: string, el: Element}[]} page.blocks the
   *   rendered turns (highlights.js), in document order
   * @param {import("./selection.js").TranscriptSelection} page.selection
   */
  constructor(toolbar, { root, blocks, selection }) {
    this.bar = toolbar.querySelector("[data-find-bar]");
    this.toggle = toolbar.querySelector("[data-find-toggle]");
    this.input = this.bar.querySelector("[data-find-input]");
    this.status = this.bar.querySelector("[data-find-status]");
    this.root = root;
    this.blocks = blocks;
    this.selection = selection;
    this.hits = [];
    this.ranges = [];
    this.current = -1;
    this.searched = null;
    this.origin = null;
    this.timer = 0;
    this.wire();
  }

  wire() {
    this.toggle.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
    });
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.bar.querySelector("[data-find-next]").addEventListener("click", () => this.step(1));
    this.bar.querySelector("[data-find-previous]").addEventListener("click", () => this.step(-1));
    this.bar.querySelector("[data-find-close]").addEventListener("click", () => this.close());
  }

  get isOpen() {
    return !this.bar.hidden;
  }

  /** Opens the bar (or, when open, goes back to its field), searching from the caret. */
  open() {
    this.origin = this.selection.span()?.start ?? this.selection.caretOffset() ?? this.selection.last?.start ?? null;
    this.bar.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.input.focus();
    this.input.select();
    if (this.input.value && this.searched === null) this.search();
    return true;
  }

  /** Closes the bar; focus returns to the text with the current hit selected. */
  close() {
    const hit = this.hits[this.current];
    clearTimeout(this.timer);
    this.bar.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    this.hits = [];
    this.ranges = [];
    this.current = -1;
    this.searched = null;
    this.status.textContent = "";
    highlights()?.delete(HITS);
    highlights()?.delete(CURRENT);
    this.root.focus({ preventScroll: true });
    if (hit) this.selection.select(hit, { focus: false });
  }

  key(event) {
    if (event.isComposing) return;
    if (event.key === "Escape") {
      // Prevented too: a search field's own Escape would clear the query.
      event.preventDefault();
      event.stopPropagation();
      this.close();
    } else if (event.key === "Enter") {
      event.preventDefault();
      // A query typed but not searched yet (still debouncing) is searched first.
      if (this.timer || this.input.value !== this.searched) this.search();
      else this.step(event.shiftKey ? -1 : 1);
    }
  }

  /** Finds the field's query in every turn and shows the hits, the first after the caret current. */
  search() {
    clearTimeout(this.timer);
    this.timer = 0;
    const query = this.input.value;
    this.searched = query;
    this.hits = query.trim() ? findHits(this.blocks, query) : [];
    this.current = firstHitFrom(this.hits, this.origin);
    this.ranges = rangesOf(this.hits);
    const all = highlights();
    if (all && this.ranges.length) {
      const highlight = new Highlight();
      for (const range of this.ranges) highlight.add(range);
      all.set(HITS, highlight);
    } else {
      all?.delete(HITS);
    }
    this.showCurrent({ scroll: true });
  }

  /** Next (+1) or previous (−1) hit, wrapping around the document. */
  step(direction) {
    if (this.searched !== this.input.value) return this.search();
    const count = this.hits.length;
    if (count === 0) return;
    this.current = (this.current + direction + count) % count;
    this.showCurrent({ scroll: true });
  }

  showCurrent({ scroll }) {
    const count = this.hits.length;
    this.status.textContent = this.searched?.trim() ? (count ? `${this.current + 1} of ${count}` : "No matches") : "";
    const hit = this.hits[this.current];
    if (!hit) {
      highlights()?.delete(CURRENT);
      return;
    }
    const [range] = rangesInBlock(hit.block, [hit], true);
    if (highlights()) {
      const highlight = new Highlight(range);
      highlight.priority = 1;
      highlights().set(CURRENT, highlight);
    }
    if (scroll) this.scrollTo(range);
  }

  /** Brings the hit to the middle of the window unless it is already well in view. */
  scrollTo(range) {
    const rect = range.getBoundingClientRect();
    const top = this.bar.getBoundingClientRect().bottom;
    if (rect.top >= top && rect.bottom <= window.innerHeight) return;
    window.scrollBy({ top: rect.top + rect.height / 2 - window.innerHeight / 2, behavior: "instant" });
  }

  /**
   * After `rendered` blocks were rebuilt (their text nodes replaced), the hits in them get
   * new ranges; the others keep theirs.
   */
  refresh(rendered) {
    if (this.hits.length === 0) return;
    const blocks = new Set(rendered);
    const highlight = highlights()?.get(HITS);
    const indices = this.hits.flatMap((hit, i) => (blocks.has(hit.block) ? [i] : []));
    const fresh = rangesOf(indices.map((i) => this.hits[i]));
    indices.forEach((i, k) => {
      highlight?.delete(this.ranges[i]);
      this.ranges[i] = fresh[k];
      highlight?.add(fresh[k]);
    });
    this.showCurrent({ scroll: false });
  }
}
