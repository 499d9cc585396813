// The JSON API as the coding page uses it: one `send` for every request, so the CSRF
// header, error decoding and network failures are handled in one place.

/** A failed request. `status` is 0 when the server could not be reached at all. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** Someone else changed the record since we loaded it (a stale `version`). */
  get isConflict() {
    return this.status === 409;
  }

  get isNetwork() {
    return this.status === 0;
  }

  /** The session ended (401), or the page's token is from an earlier sign-in. */
  get needsSignIn() {
    return this.status === 401 || this.code === "csrf_rejected";
  }
}

/** The page's CSRF token, which every non-GET request must echo in `X-CSRF-Token`. */
function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/**
 * Sends `{method, url, body}` and resolves with the decoded JSON (`null` for 204), or
 * rejects with an `ApiError`. Requests are plain data so a failed one can be re-sent as is.
 * @param {{method: string, url: string, body?: object}} request
 */
export async function send(request) {
  const headers = { Accept: "application/json" };
  if (request.method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "Gloss could not be reached. Check the connection, then retry.");
  }
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (response.ok) return payload;
  const error = payload?.error ?? {};
  throw new ApiError(
    response.status,
    error.code ?? "http_" + response.status,
    error.message ?? `The server answered ${response.status}.`,
    error.field,
  );
}

/** Request builders for the endpoints the page uses; `urls` comes from the page data. */
export function endpoints(urls) {
  return {
    listExcerpts: () => ({ method: "GET", url: urls.excerpts }),
    createExcerpt: (body) => ({ method: "POST", url: urls.excerpts, body }),
    getExcerpt: (id) => ({ method: "GET", url: urls.excerpt + id }),
    updateExcerpt: (id, body) => ({ method: "PATCH", url: urls.excerpt + id, body }),
    deleteExcerpt: (id) => ({ method: "DELETE", url: urls.excerpt + id }),
    listCodes: () => ({ method: "GET", url: urls.codes }),
    createCode: (body) => ({ method: "POST", url: urls.codes, body }),
  };
}
