// The user's selection in the transcript, in Gloss offsets (code points, via offsets.js).
// Rebuilding a block replaces its text nodes, which would lose the selection; it is saved
// as offsets before and put back after, keeping its direction (anchor and focus).

import { domPointToOffset, offsetToDomPoint, selectionToSpan, spanToRange } from "../offsets.js";

/** The `.text` block holding a DOM node, if any. */
function blockOf(node) {
  const el = node?.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  return el?.closest?.(".text[data-start]") ?? null;
}

export class TranscriptSelection {
  /**
   * @param {Element} root the transcript
   * @param {boolean} focusable whether the transcript takes focus (coders' caret)
   */
  constructor(root, focusable) {
    this.root = root;
    this.focusable = focusable;
    /** The last non-empty selection made in the transcript, as a span. */
    this.last = null;
  }

  /** The DOM selection, when both its ends are in the transcript. */
  inTranscript() {
    const selection = document.getSelection();
    if (!selection?.anchorNode || !this.root.contains(selection.anchorNode)) return null;
    return this.root.contains(selection.focusNode) ? selection : null;
  }

  /** The current selection as a trimmed span, or null. */
  span() {
    const selection = this.inTranscript();
    if (!selection || selection.isCollapsed) return null;
    return selectionToSpan(selection, this.root);
  }

  /** The caret's document offset, or null when the caret is not in the text. */
  caretOffset() {
    const selection = this.inTranscript();
    const block = blockOf(selection?.focusNode);
    return block ? domPointToOffset(block, selection.focusNode, selection.focusOffset) : null;
  }

  /** Remembers the selection's ends, as offsets where they lie in blocks about to be rebuilt. */
  save(rebuilt) {
    const selection = this.inTranscript();
    if (!selection) return null;
    const point = (node, offset) => {
      const block = blockOf(node);
      if (block && rebuilt.has(block)) return { block, offset: domPointToOffset(block, node, offset) };
      return { node, offset };
    };
    return {
      anchor: point(selection.anchorNode, selection.anchorOffset),
      focus: point(selection.focusNode, selection.focusOffset),
    };
  }

  restore(saved) {
    if (!saved) return;
    const resolve = (point) => (point.block ? offsetToDomPoint(point.block, point.offset) : point);
    const anchor = resolve(saved.anchor);
    const focus = resolve(saved.focus);
    if (!anchor.node.isConnected || !focus.node.isConnected) return;
    document.getSelection().setBaseAndExtent(anchor.node, anchor.offset, focus.node, focus.offset);
  }

  /** Selects [start, end) (and focuses the transcript, for the keyboard path). */
  select(span, { focus = true } = {}) {
    const range = spanToRange(this.root, span.start, span.end);
    if (!range) return;
    if (focus && this.focusable) this.root.focus({ preventScroll: true });
    document.getSelection().setBaseAndExtent(range.startContainer, range.startOffset, range.endContainer, range.endOffset);
    this.last = { start: span.start, end: span.end };
  }

  /** Keeps `last` up to date (once per frame at most) and calls `changed` afterwards. */
  track(changed) {
    let pending = 0;
    document.addEventListener("selectionchange", () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        const selection = this.inTranscript();
        if (!selection) return;
        this.last = selection.isCollapsed ? null : this.span();
        changed();
      });
    });
  }
}
