// The agreement form sends the ticked coders as one `coders=a,b` parameter, the shape the
// API uses too, so the report URL can be shared and scripted.

const form = document.querySelector("[data-agreement-form]");
if (form) {
  form.addEventListener("submit", () => {
    const ticked = Array.from(form.querySelectorAll('input[name="coder"]:checked'), (box) => box.value);
    form.querySelector("[data-coders]").value = ticked.join(",");
    for (const box of form.querySelectorAll('input[name="coder"]')) box.disabled = true;
  });
}
