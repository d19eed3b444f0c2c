// Boxes that scroll sideways on a narrow screen (a wide table in its card
// or .table-wrap) must be reachable by the keyboard, or their hidden part
// cannot be scrolled into view without a mouse (WCAG 2.1.1; axe-core's
// scrollable-region-focusable). Such a box gets tabindex="0" while it
// scrolls and holds nothing focusable; the marks follow the page's changes
// and the window's size.

// The boxes looked at: those app.css lets scroll sideways.
const SELECTOR = '.table-wrap, .card, .svg-wrap';
// Changes are gathered this long before the boxes are looked at again.
const SETTLE_MS = 100;
const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([data-scroll-box])';

function mark(root) {
  for (const box of root.querySelectorAll(SELECTOR)) {
    if (box.tagName === 'DIALOG') continue;
    const scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== 'visible';
    const reachable = box.querySelector(FOCUSABLE);
    if (scrolls && !reachable && !box.hasAttribute('tabindex')) {
      box.setAttribute('tabindex', '0');
      box.dataset.scrollBox = '';
    } else if ((!scrolls || reachable) && 'scrollBox' in box.dataset) {
      box.removeAttribute('tabindex');
      delete box.dataset.scrollBox;
    }
  }
}

// Keeps the marks right inside root from now on.
export function watchScrollBoxes(root) {
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(() => mark(root), SETTLE_MS); };
  new MutationObserver(later).observe(root, { childList: true, subtree: true });
  window.addEventListener('resize', later);
  later();
}
