// Saving: every change the user makes becomes an operation in one queue, sent to the API
// in order (so a code added to an excerpt that is still being created waits for its id).
// When a request fails the queue stops there and keeps everything after it; Retry sends
// the failed request again exactly (after a conflict: with the excerpt's latest version),
// Discard drops the unsaved changes and reloads the coding from the server. When the
// session has ended, the queue keeps everything, renews the page's token once the user has
// signed in again (checked whenever the page regains focus), and carries on.

import { ApiError } from "./api.js";

/**
 * @typedef {object} Operation
 * @property {string} label what the user did, e.g. "Apply “Trust”"
 * @property {() => {method: string, url: string, body?: object}} build the request, built
 *   when first sent, so ids and versions saved by earlier operations are known
 * @property {(result: any, laterOpsForSameExcerpt: boolean) => void} done adopt the answer
 * @property {object} [excerpt] the excerpt it changes
 * @property {object} [request] the request as first sent (re-sent by Retry)
 */

export const SAVED = "saved";
export const SAVING = "saving";
export const FAILED = "failed";

export class SaveQueue {
  /**
   * @param {object} hooks
   * @param {(request: object) => Promise<any>} hooks.send
   * @param {(excerpt: object) => Promise<void>} hooks.refresh reloads an excerpt's version
   * @param {(excerpt: object, changed: boolean) => void} hooks.saved an excerpt has no
   *   unsaved changes left; `changed` when the server's answer changed its span or codes
   * @param {() => Promise<void>} hooks.reload replaces all local coding with the server's
   * @param {() => Promise<boolean>} hooks.renew takes up a new session's CSRF token, if
   *   the user is signed in again
   * @param {() => void} hooks.changed the queue's state changed
   */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {Operation[]} */
    this.ops = [];
    /** @type {{op: Operation, error: ApiError} | null} */
    this.failure = null;
    this.running = false;
    window.addEventListener("beforeunload", (event) => {
      if (this.ops.length > 0) event.preventDefault();
    });
    // Back from signing in again in another tab: save what waited.
    const resume = () => {
      if (this.failure?.error.needsSignIn && document.visibilityState === "visible") this.retry();
    };
    window.addEventListener("focus", resume);
    document.addEventListener("visibilitychange", resume);
  }

  get state() {
    if (this.failure) return FAILED;
    return this.ops.length > 0 ? SAVING : SAVED;
  }

  /** How many operations wait behind the failed one. */
  get waiting() {
    return Math.max(0, this.ops.length - 1);
  }

  enqueue(op) {
    if (op.excerpt) op.excerpt.unsaved = true;
    this.ops.push(op);
    this.hooks.changed();
    this.pump();
  }

  /** Whether operations other than `except` are queued for this excerpt. */
  hasQueued(excerpt, except) {
    return this.ops.some((op) => op !== except && op.excerpt === excerpt);
  }

  async pump() {
    if (this.running || this.failure) return;
    this.running = true;
    while (this.ops.length > 0 && !this.failure) {
      const op = this.ops[0];
      try {
        op.request ??= op.build();
        const result = await this.hooks.send(op.request);
        this.ops.shift();
        const more = op.excerpt ? this.hasQueued(op.excerpt) : false;
        const before = op.excerpt ? shownAs(op.excerpt) : "";
        op.done(result, more);
        if (op.excerpt && !more) {
          op.excerpt.unsaved = false;
          this.hooks.saved(op.excerpt, shownAs(op.excerpt) !== before);
        }
      } catch (error) {
        const failure = asApiError(error);
        // A token from an earlier sign-in is renewed once, silently; only a session that
        // really ended stops the queue.
        if (failure.needsSignIn && !op.renewed && (await this.hooks.renew())) {
          op.renewed = true;
          continue;
        }
        this.failure = { op, error: failure };
      }
      this.hooks.changed();
    }
    this.running = false;
  }

  /** Sends the failed request again; after a conflict, first fetches the latest version. */
  async retry() {
    if (!this.failure || this.running) return;
    const { op, error } = this.failure;
    this.failure = null;
    this.hooks.changed();
    if (error.needsSignIn && !(await this.hooks.renew())) {
      this.failure = { op, error };
      this.hooks.changed();
      return;
    }
    op.renewed = false;
    if (error.isConflict && op.excerpt) {
      try {
        await this.hooks.refresh(op.excerpt);
        op.request = op.build();
      } catch (refreshError) {
        this.failure = { op, error: asApiError(refreshError) };
        this.hooks.changed();
        return;
      }
    }
    await this.pump();
  }

  /** Drops every unsaved change and reloads the page's coding from the server. */
  async discard() {
    if (this.running) return;
    this.ops = [];
    this.failure = null;
    this.hooks.changed();
    await this.hooks.reload();
  }
}

/** What the text shows of an excerpt: if the server's answer changes it, repaint. */
function shownAs(excerpt) {
  return `${excerpt.start}:${excerpt.end}:${excerpt.code_ids.join(",")}`;
}

function asApiError(error) {
  if (error instanceof ApiError) return error;
  // A bug in building a request must not pass silently as a save.
  console.error(error);
  return new ApiError(-1, "client", String(error?.message ?? error));
}
