// The compare view of a disagreement: selecting a passage in any coder's column fills in
// the "draw a new excerpt" form, so the lead draws the consensus excerpt with the mouse or
// the keyboard instead of typing offsets. Each column's text is a `.text[data-start]`
// block of the document, so offsets.js converts the selection to code points. A drawn
// passage snaps to whole words (as coding trims whitespace), and its exact text is shown
// before it is saved.

import { codePointToUtf16, selectionToSpan } from "./offsets.js";
import { Words } from "./coding/words.js";

const form = document.querySelector("[data-draw-form]");
if (form) {
  const start = form.querySelector('input[name="draw_start"]');
  const end = form.querySelector('input[name="draw_end"]');
  const status = form.querySelector("[data-draw-selection]");
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const anchor = selection.anchorNode;
    const column = (anchor instanceof Element ? anchor : anchor?.parentElement)?.closest("[data-compare]");
    if (!column) return;
    const selected = selectionToSpan(selection, column);
    if (!selected) return;
    const block = column.querySelector(".text[data-start]");
    const blockStart = Number(block.dataset.start);
    const text = block.textContent;
    const span = new Words([{ start: blockStart, text }]).snap(selected.start, selected.end);
    start.value = String(span.start);
    end.value = String(span.end);
    const from = codePointToUtf16(text, span.start - blockStart);
    const to = codePointToUtf16(text, span.end - blockStart);
    status.textContent = `Will draw characters ${span.start}–${span.end}: “${text.slice(from, to)}”. Draw it, or select again.`;
  });
}

// The keyboard path through disagreements: A / B accept the first / second coder's
// version, U both, N neither, D draws the selected passage. Each is the button of the
// same name (a plain form, so everything also works without scripts); keys typed into
// the offset fields stay theirs.
document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (event.target instanceof HTMLElement && event.target.matches("input, textarea, select")) return;
  const button = document.querySelector(`[data-decision-key="${CSS.escape(event.key.toLowerCase())}"]`);
  if (!button) return;
  event.preventDefault();
  button.form.requestSubmit(button);
});
