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

// Sortable tables (the per-document breakdown): a header button sorts by its column;
// pressing it again reverses. Cells carry their raw value in `data-value`; undefined
// figures (empty) always sort last.
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const body = table.tBodies[0];
  for (const button of table.querySelectorAll("th button[data-sort-key]")) {
    button.addEventListener("click", () => {
      const header = button.closest("th");
      const column = Number(button.dataset.sortKey);
      const numeric = "numeric" in button.dataset;
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      for (const th of table.querySelectorAll("th")) th.removeAttribute("aria-sort");
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const valueOf = (row) => row.cells[column].dataset.value ?? "";
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const [x, y] = [valueOf(a), valueOf(b)];
        if (x === "" || y === "") return (x === "") - (y === "");
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  }
}
