// Coloured highlighting of the transcript. Each block's text is split into segments at
// every excerpt boundary (segments.js); a segment covered by excerpts becomes a
// `<span class="hl">` whose bands show every code covering it. A block's new content is
// built off-DOM and swapped in with one `replaceChildren`, and only the blocks an action
// touches are rebuilt.

import { segmentsOf, utf16Cuts, excerptsPerBlock } from "./segments.js";
import { UNCODED_COLOR } from "./palette.js";

/** A block of document text as rendered: `<div class="text" data-start data-end>`. */
function readBlocks(root) {
  return Array.from(root.querySelectorAll(".text[data-start]"), (el, index) => ({
    index,
    el,
    start: Number(el.dataset.start),
    end: Number(el.dataset.end),
    // The stored text [start, end) exactly, kept to rebuild the block at any time.
    text: el.textContent,
    segments: [],
  }));
}

/**
 * Follows a segment sweep and names the classes of the current segment: which codes
 * cover it (counted per code, so the class is recomputed only when a code starts or
 * stops covering the text, not for every segment).
 */
class CodeCoverage {
  constructor(highlights) {
    this.highlights = highlights;
    this.counts = new Map();
    this.uncoded = 0;
    this.classes = null;
  }

  open(excerpt) {
    this.count(excerpt, +1);
  }

  close(excerpt) {
    this.count(excerpt, -1);
  }

  count(excerpt, delta) {
    for (const id of excerpt.code_ids) {
      const count = (this.counts.get(id) ?? 0) + delta;
      if (count === 0) this.counts.delete(id);
      else this.counts.set(id, count);
      if (count === 0 || (delta > 0 && count === 1)) this.classes = null;
    }
    if (excerpt.code_ids.length === 0) this.uncoded = this.bump(this.uncoded, delta);
  }

  /** Adds `delta` to a counter, forgetting the classes when it crosses zero. */
  bump(value, delta) {
    const next = value + delta;
    if ((value === 0) !== (next === 0)) this.classes = null;
    return next;
  }

  tag() {
    this.classes ??= this.highlights.classesFor(this.counts.keys(), this.uncoded > 0);
    return this.classes;
  }
}

export class Highlights {
  /**
   * @param {Element} root the transcript
   * @param {import("./store.js").Store} store
   * @param {import("./palette.js").Palette} palette
   */
  constructor(root, store, palette) {
    this.root = root;
    this.store = store;
    this.palette = palette;
    this.blocks = readBlocks(root);
    /** @type {WeakMap<Element, {segment: object, block: object}>} */
    this.segmentOf = new WeakMap();
  }

  /** The blocks that show part of [start, end). */
  blocksIn(start, end) {
    return this.blocks.filter((block) => block.start < end && block.end > start);
  }

  blockOf(element) {
    const el = element.closest?.(".text[data-start]");
    return el ? this.blocks.find((block) => block.el === el) : undefined;
  }

  /**
   * Rebuilds `blocks` (all when omitted) from the visible excerpts and reports where each
   * excerpt now starts and ends on screen through `onEndpoint(excerpt, edge, element)`.
   */
  render(onEndpoint, blocks = this.blocks) {
    const visible = this.store.visibleExcerpts();
    const lists = excerptsPerBlock(blocks, visible);
    blocks.forEach((block, i) => this.renderBlock(block, lists[i], onEndpoint));
  }

  renderBlock(block, excerpts, onEndpoint) {
    const segments = segmentsOf(block.start, block.end, excerpts, new CodeCoverage(this));
    const cuts = utf16Cuts(block.text, block.start, segments);
    const fragment = document.createDocumentFragment();
    segments.forEach((segment, i) => {
      const text = block.text.slice(cuts[i], cuts[i + 1]);
      if (segment.excerpts.length === 0) {
        fragment.append(text);
        return;
      }
      const span = document.createElement("span");
      span.className = segment.tag;
      span.textContent = text;
      this.segmentOf.set(span, { segment, block });
      segment.el = span;
      fragment.append(span);
      for (const excerpt of segment.excerpts) {
        if (segment.start === excerpt.start) onEndpoint(excerpt, "start", span);
        if (segment.end === excerpt.end) onEndpoint(excerpt, "end", span);
      }
    });
    block.segments = segments;
    block.el.replaceChildren(fragment);
  }

  /** `hl` plus the class for these codes' colours. */
  classesFor(codeIds, uncoded) {
    const colors = this.store
      .sortCodeIds(codeIds)
      .map((id) => this.store.code(id)?.color ?? UNCODED_COLOR);
    if (uncoded) colors.push(UNCODED_COLOR);
    return `hl ${this.palette.classFor(colors)}`;
  }

  /** The excerpts covering the text a highlight element shows. */
  excerptsAt(element) {
    const span = element.closest?.(".hl");
    return span ? (this.segmentOf.get(span)?.segment.excerpts ?? []) : [];
  }

  /** The span of the segment a highlight element shows, in code points. */
  segmentSpan(element) {
    const found = this.segmentOf.get(element.closest?.(".hl"));
    return found ? { start: found.segment.start, end: found.segment.end } : null;
  }

  /** Highlight elements inside [start, end), e.g. to flash an excerpt. */
  elementsIn(start, end) {
    const found = [];
    for (const block of this.blocksIn(start, end)) {
      for (const segment of block.segments) {
        if (segment.el && segment.start >= start && segment.end <= end) found.push(segment.el);
      }
    }
    return found;
  }
}
