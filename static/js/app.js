// Small progressive enhancements shared by every page. Pages work without JavaScript.

/** Asks before submitting forms marked `data-confirm="question"`. */
function confirmDestructiveForms() {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
}

confirmDestructiveForms();

/**
 * Shows each `<time>` holding an ISO timestamp (as the server writes them, in UTC) as a
 * date and time in the reader's own time zone and language; the exact UTC value stays in
 * `datetime` and shows on hover.
 */
export function humaniseTimes(root = document) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const el of root.querySelectorAll("time")) {
    const iso = el.getAttribute("datetime") || el.textContent.trim();
    const at = new Date(iso);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) || Number.isNaN(at.getTime())) continue;
    el.setAttribute("datetime", iso);
    el.title = `${iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "")} UTC`;
    el.textContent = format.format(at);
  }
}

humaniseTimes();
