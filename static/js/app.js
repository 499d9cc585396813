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
