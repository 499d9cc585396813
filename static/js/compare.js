// The compare view of a disagreement: selecting a passage in any coder's column fills in
// the "draw a new excerpt" form, so the lead draws the consensus excerpt with the mouse or
// the keyboard instead of typing offsets. Each column's text is a `.text[data-start]`
// block of the document, so offsets.js converts the selection to code points.

import { selectionToSpan } from "./offsets.js";

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
    const span = selectionToSpan(selection, column);
    if (!span) return;
    start.value = String(span.start);
    end.value = String(span.end);
    status.textContent = `Selected characters ${span.start}–${span.end}; draw it, or select again.`;
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
