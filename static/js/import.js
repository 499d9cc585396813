// The import form: drag and drop, a list of chosen files, CSV column suggestions, and an
// upload with a progress bar. Without JavaScript the form still posts normally.

const form = document.querySelector("[data-import-form]");
if (form) {
  const input = form.querySelector('input[type="file"]');
  const dropzone = form.querySelector("[data-dropzone]");
  const fileList = form.querySelector("[data-file-list]");
  const columns = form.querySelector("[data-csv-columns]");
  const progress = form.querySelector("[data-progress]");
  const status = form.querySelector("[data-status]");
  const button = form.querySelector('button[type="submit"]');

  for (const type of ["dragenter", "dragover"]) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault();
      dropzone.classList.add("dragging");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    dropzone.addEventListener(type, () => dropzone.classList.remove("dragging"));
  }
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer?.files?.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    }
  });

  input.addEventListener("change", () => {
    showChosenFiles(input.files);
    suggestCsvColumns(input.files);
  });

  form.addEventListener("submit", (event) => {
    if (!window.XMLHttpRequest || !input.files.length) return;
    event.preventDefault();
    upload();
  });

  function showChosenFiles(files) {
    fileList.replaceChildren(
      ...Array.from(files, (file) => {
        const item = document.createElement("li");
        item.textContent = `${file.name} (${formatSize(file.size)})`;
        return item;
      }),
    );
    fileList.hidden = files.length === 0;
  }

  /** Offers the header row of the first CSV file as choices for the column fields. */
  async function suggestCsvColumns(files) {
    const csv = Array.from(files).find((f) => /\.(csv|tsv)$/i.test(f.name));
    columns.replaceChildren();
    if (!csv) return;
    const head = await csv.slice(0, 64 * 1024).text();
    const delimiter = /\.tsv$/i.test(csv.name) ? "\t" : ",";
    for (const name of parseHeader(head.replace(/^\uFEFF/, ""), delimiter)) {
      const option = document.createElement("option");
      option.value = name;
      columns.append(option);
    }
  }

  function upload() {
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    // Ask for JSON: {"redirect": url} on success, {"error": {"message"}} otherwise.
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        progress.value = Math.round((event.loaded / event.total) * 100);
        status.textContent = progress.value < 100 ? `Uploading… ${progress.value}%` : "Reading the files…";
      }
    });
    request.addEventListener("load", () => {
      const body = request.response;
      if (request.status < 400 && body?.redirect) {
        status.textContent = "Imported. Opening the summary…";
        window.location.assign(body.redirect);
      } else {
        fail(body?.error?.message ?? `The import failed (HTTP ${request.status}).`, request.status === 409);
      }
    });
    request.addEventListener("error", () => fail("The upload failed: check your connection and try again."));
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    status.classList.remove("status-error");
    status.setAttribute("role", "status");
    status.textContent = "Uploading…";
    request.send(new FormData(form));
  }

  /** Shows a refusal as an error; for duplicates, offers to import only the new documents. */
  function fail(message, duplicates = false) {
    button.disabled = false;
    progress.hidden = true;
    status.classList.add("status-error");
    status.setAttribute("role", "alert");
    status.textContent = message;
    if (duplicates) status.append(" ", skipDuplicatesButton());
  }

  function skipDuplicatesButton() {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = "Skip them and import the rest";
    retry.addEventListener("click", () => {
      form.querySelector('input[name="skip_duplicates"]').checked = true;
      upload();
    });
    return retry;
  }
}

/** The fields of the first CSV record (quotes and doubled quotes handled). */
export function parseHeader(text, delimiter) {
  const fields = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field.trim());
      field = "";
    } else if (c === "\n" || c === "\r") {
      break;
    } else {
      field += c;
    }
  }
  fields.push(field.trim());
  return fields.filter((f) => f.length > 0);
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
