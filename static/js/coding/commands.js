// What the keys and the mouse do in the transcript: code the selection (picker or a recent
// code), open the excerpt under the caret or pointer, step through excerpts. The key map
// itself is in keyboard.js; the parts used here belong to the page (coding.js).

import { spanToRange } from "../offsets.js";
import { installShortcuts, makeCaretNavigable } from "./keyboard.js";

/** Collapses a non-empty selection to the pressed point when the press lies inside it. */
function collapseIfInsideSelection(event) {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
  const inside = Array.from(selection.getRangeAt(0).getClientRects()).some(
    (r) => event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom,
  );
  if (!inside) return;
  const point = document.caretPositionFromPoint?.(event.clientX, event.clientY);
  if (point) selection.collapse(point.offsetNode, point.offset);
  else selection.removeAllRanges();
}

export class Commands {
  /** @param {object} page the coding page (store, selection, picker, panel, actions …) */
  constructor(page) {
    this.page = page;
  }

  install() {
    const { root, store, stripes } = this.page;
    if (store.canCode) {
      makeCaretNavigable(root);
    } else {
      // Readers can still step through excerpts and open them with the keyboard.
      root.tabIndex = 0;
      root.setAttribute("aria-label", "Transcript (read-only)");
      root.setAttribute("aria-describedby", "coding-keys-hint");
    }
    // A press inside the passage still selected (after coding it) would start the
    // browser's drag of the selected text, which the transcript refuses, so nothing would
    // happen until a click elsewhere: collapse the selection at the press first, so the
    // drag makes a new selection as anywhere else.
    root.addEventListener("mousedown", (event) => {
      if (event.button === 0 && !event.shiftKey) collapseIfInsideSelection(event);
    });
    root.addEventListener("mouseup", (event) => {
      if (event.button === 0) setTimeout(() => this.pointerDone(event), 0);
    });
    stripes.layer.addEventListener("click", (event) => {
      const excerpt = stripes.excerptOf(event.target);
      if (excerpt) this.openExcerpts([excerpt]);
    });
    installShortcuts(root, {
      undo: () => this.page.actions.undoLast(),
      help: () => this.page.showHelp(),
      filterCodes: () => {
        this.page.drawer.open();
        this.page.codebook.focusFilter();
        return true;
      },
      code: () => this.codeKey(),
      open: () => this.openExcerpts(this.excerptsAtCaret()) || this.say("No excerpt at the caret."),
      step: (direction) => this.step(direction),
      recent: (digit) => this.recentKey(digit),
      escape: () => this.closePanel(),
      complete: () => this.toggleComplete(),
      // Not behind the open help dialog (modal: the bar could not take focus).
      find: () => !document.querySelector("dialog[open]") && this.page.find.open(),
    });
  }

  /** Shift+M: the page's "Mark complete" / "Reopen" form (a plain form, so it also works without scripts). */
  toggleComplete() {
    const form = document.querySelector("[data-completion-form]");
    if (!form) return false;
    form.requestSubmit();
    return true;
  }

  say(message) {
    this.page.announce(message);
    return true;
  }

  /** A mouse selection opens the picker; a plain click on coded text opens the excerpt. */
  pointerDone(event) {
    const { selection, store, stripes, highlights } = this.page;
    if (stripes.layer.contains(event.target)) return;
    const span = selection.span();
    if (span) {
      if (store.canCode) this.openPicker(span);
      return;
    }
    const excerpts = highlights.excerptsAt(event.target);
    if (excerpts.length) this.openExcerpts(excerpts, { focus: false });
  }

  /** Opens the picker at the end of `span`, which stays marked while focus is in it. */
  openPicker(span) {
    const range = spanToRange(this.page.root, span.start, span.end);
    const rects = range ? range.getClientRects() : [];
    const anchor = rects.length ? rects[rects.length - 1] : this.page.root.getBoundingClientRect();
    this.page.marks.pending(range);
    this.page.picker.open(anchor, { span });
  }

  /** Enter or C: the picker for the selection, else the excerpt at the caret. */
  codeKey() {
    if (!this.page.store.canCode) return this.say("This document is read-only for you.");
    const span = this.page.selection.span();
    if (span) {
      this.openPicker(span);
      return true;
    }
    return this.openExcerpts(this.excerptsAtCaret()) || this.say("Select some text first: Shift with the arrow keys.");
  }

  /** 1–9: applies that recent code to the selection. */
  recentKey(digit) {
    if (!this.page.store.canCode) return false;
    const span = this.page.selection.span();
    if (!span) return this.say("Select some text first, then press a number to apply a recent code.");
    const code = this.page.recent.forKey(digit);
    if (!code) return this.say(`There is no recent code ${digit} yet.`);
    this.page.actions.applyToSpan(code.id, span);
    return true;
  }

  /** Opens the excerpt panel for the best of `excerpts` (mine first, then the shortest). */
  openExcerpts(excerpts, options) {
    if (excerpts.length === 0) return false;
    const { store } = this.page;
    const length = (e) => e.end - e.start;
    const ranked = [...excerpts].sort(
      (a, b) => Number(store.isMine(b)) - Number(store.isMine(a)) || length(a) - length(b),
    );
    this.page.tooltip.hide();
    this.page.panel.open(ranked[0], ranked, options);
    return true;
  }

  closePanel() {
    if (!this.page.panel.isOpen) return false;
    this.page.panel.close();
    return true;
  }

  /** The visible excerpts exactly selected, or at the caret (or the selection's start). */
  excerptsAtCaret() {
    const { selection, store } = this.page;
    const visible = store.visibleExcerpts();
    const span = selection.span();
    if (span) {
      const exact = visible.filter((e) => e.start === span.start && e.end === span.end);
      if (exact.length) return exact;
    }
    const offset = span ? span.start : selection.caretOffset();
    if (offset === null) return [];
    const covering = visible.filter((e) => e.start <= offset && offset < e.end);
    return covering.length ? covering : visible.filter((e) => e.end === offset);
  }

  /** ] and [: selects the next (+1) or previous (−1) visible excerpt and says what it is. */
  step(direction) {
    const { selection, store, highlights } = this.page;
    const visible = store.visibleExcerpts();
    if (visible.length === 0) return this.say("No excerpts in this view.");
    const span = selection.span();
    const position = span ? span.start : (selection.caretOffset() ?? (direction > 0 ? -1 : Infinity));
    let index = span ? visible.findIndex((e) => e.start === span.start && e.end === span.end) : -1;
    if (index >= 0) index += direction;
    else if (direction > 0) index = visible.findIndex((e) => e.start > position);
    else index = visible.findLastIndex((e) => e.start < position);
    const excerpt = visible[index];
    if (!excerpt) return this.say(direction > 0 ? "No more excerpts below." : "No more excerpts above.");
    selection.select(excerpt);
    highlights.elementsIn(excerpt.start, excerpt.end)[0]?.scrollIntoView({ block: "nearest" });
    return this.say(this.describe(excerpt));
  }

  describe(excerpt) {
    const { store } = this.page;
    const names = store.sortCodeIds(excerpt.code_ids).map((id) => store.code(id)?.name);
    const who = excerpt.consensus ? "consensus" : excerpt.coder;
    return `Excerpt: ${names.join(", ") || "no code"}, by ${who}. Press E to open it.`;
  }
}
