// The agreement form sends the ticked coders as one `coders=a,b` parameter, and the
// picked documents as one `documents=1,2`, the shapes the API uses too, so the report URL
// can be shared and scripted.

const form = document.querySelector("[data-agreement-form]");
if (form) {
  form.addEventListener("submit", () => {
    const ticked = Array.from(form.querySelectorAll('input[name="coder"]:checked'), (box) => box.value);
    form.querySelector("[data-coders]").value = ticked.join(",");
    for (const box of form.querySelectorAll('input[name="coder"]')) box.disabled = true;
    const picked = Array.from(form.querySelectorAll('input[name="document"]:checked'), (box) => box.value);
    form.querySelector("[data-documents]").value = picked.join(",");
    for (const box of form.querySelectorAll('input[name="document"]')) box.disabled = true;
    // Picked documents are used as picked: the scope and attribute do not apply to them.
    if (picked.length > 0) {
      for (const name of ["scope", "attribute"]) form.querySelector(`[name="${name}"]`).disabled = true;
    }
  });
  const search = form.querySelector("[data-document-search]");
  search?.addEventListener("input", () => {
    const needle = search.value.trim().toLowerCase();
    for (const item of form.querySelectorAll("[data-document-list] li")) {
      item.hidden = needle !== "" && !item.dataset.searchText.toLowerCase().includes(needle);
    }
  });
}
