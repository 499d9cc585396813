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
