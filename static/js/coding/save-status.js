// The toolbar's saving state: "All changes saved", "Saving…", or what failed with Retry
// and Discard. `data-state` on the status element says which (saved, saving, failed).

import { FAILED, SAVING } from "./save-queue.js";

export class SaveStatus {
  /**
   * @param {Element} toolbar the coding toolbar
   * @param {import("./save-queue.js").SaveQueue} queue
   */
  constructor(toolbar, queue) {
    this.queue = queue;
    this.status = toolbar.querySelector("[data-save-status]");
    this.actions = toolbar.querySelector("[data-save-actions]");
    this.retryButton = toolbar.querySelector("[data-retry]");
    this.signInLink = toolbar.querySelector("[data-sign-in-again]");
    this.retryButton.addEventListener("click", () => queue.retry());
    toolbar.querySelector("[data-discard]").addEventListener("click", () => queue.discard());
    this.shown = "";
  }

  render() {
    const state = this.queue.state;
    const text = this.describe(state);
    if (text === this.shown && this.status.dataset.state === state) return;
    this.shown = text;
    this.status.dataset.state = state;
    this.status.textContent = text;
    // Failures interrupt; progress does not.
    this.status.setAttribute("role", state === FAILED ? "alert" : "status");
    this.actions.hidden = state !== FAILED;
    const error = this.queue.failure?.error;
    const signedOut = Boolean(error?.needsSignIn);
    this.signInLink.hidden = !signedOut;
    this.retryButton.textContent = error?.isConflict ? "Reload it and retry" : signedOut ? "Save now" : "Retry";
  }

  describe(state) {
    if (state === SAVING) return "Saving…";
    if (state !== FAILED) return "All changes saved";
    const { op, error } = this.queue.failure;
    const waiting = this.queue.waiting;
    const more = waiting > 0 ? ` ${waiting} more change${waiting === 1 ? "" : "s"} waiting.` : "";
    if (error.needsSignIn) {
      return (
        `Your session has ended, so this change (${op.label}) is not saved yet; it is kept here.${more} ` +
        "Sign in again (a new tab opens); back on this page, your changes are saved."
      );
    }
    return `Not saved: ${op.label}. ${error.message}${more}`;
  }
}
