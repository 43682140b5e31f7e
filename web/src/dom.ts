/** Tiny DOM helpers: create elements with text (never HTML strings, so API data cannot inject markup). */

type Attrs = Record<string, string | number | boolean | undefined>;

/** `h('p', { class: 'x' }, 'text', child)`: an element with attributes and text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

/** The element with `id`; throws when index.html lacks it (a build defect, not user input). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node as T;
}

/** Show or hide via the `hidden` attribute. */
export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}
