// Below 1,000 px wide the sidebar (codebook, excerpts, excerpt panel) would fall thousands
// of pixels under the transcript. There it becomes a drawer over the text instead: the
// toolbar's "Codes" button or `/` opens it, Escape or its Close button shuts it (focus
// returns to the button), and it opens by itself while an excerpt panel is shown, so a
// click on coded text still shows the excerpt without scrolling away from it.

export const NARROW = "(max-width: 1000px)";

export class Drawer {
  /**
   * @param {HTMLElement} sidebar the `aside` that holds the panels
   * @param {HTMLButtonElement} toggle the toolbar button that opens and closes it
   * @param {HTMLElement} excerptPanel opened panels pull the drawer open
   */
  constructor(sidebar, toggle, excerptPanel) {
    this.sidebar = sidebar;
    this.toggle = toggle;
    this.media = window.matchMedia(NARROW);
    this.openedForPanel = false;
    toggle.addEventListener("click", () => (this.isOpen ? this.close() : this.open({ focus: true })));
    sidebar.querySelector("[data-drawer-close]")?.addEventListener("click", () => this.close());
    sidebar.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented && this.media.matches) {
        event.preventDefault();
        this.close();
      }
    });
    new MutationObserver(() => this.followPanel(excerptPanel)).observe(excerptPanel, {
      attributes: true,
      attributeFilter: ["hidden"],
    });
    this.media.addEventListener("change", () => this.render());
    this.render();
  }

  get isOpen() {
    return this.sidebar.classList.contains("open");
  }

  /** Opens the drawer (a no-op on wide screens, where the sidebar is always there). */
  open({ focus = false } = {}) {
    if (!this.media.matches) return;
    this.sidebar.classList.add("open");
    this.render();
    if (focus) this.sidebar.querySelector("input, button, select, a[href]")?.focus();
  }

  close() {
    const hadFocus = this.sidebar.contains(document.activeElement);
    this.sidebar.classList.remove("open");
    this.openedForPanel = false;
    this.render();
    if (hadFocus) this.toggle.focus();
  }

  followPanel(panel) {
    if (!panel.hidden && !this.isOpen && this.media.matches) {
      this.openedForPanel = true;
      this.open();
    } else if (panel.hidden && this.openedForPanel) {
      this.close();
    }
  }

  render() {
    this.toggle.hidden = !this.media.matches;
    this.toggle.setAttribute("aria-expanded", String(this.isOpen && this.media.matches));
  }
}
