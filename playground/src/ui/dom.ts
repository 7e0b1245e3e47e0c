/**
 * The playground's whole UI toolkit: an element factory and labelled form controls. No UI framework — the pages are
 * a handful of controls around canvases and SVG, and plain DOM keeps the bundle the library plus a few KB.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

/** Creates an element: h('button', { class: 'primary', onclick: go }, 'Start'). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

let ids = 0;
const nextId = (prefix: string) => `${prefix}-${++ids}`;

/** A labelled number input; calls onChange with the parsed value when it is valid (the field turns red when not). */
export function numberField(
  label: string,
  value: number,
  opts: { min?: number; max?: number; step?: number | 'any'; integer?: boolean; name: string },
  onChange: (v: number) => void,
): HTMLElement {
  const id = nextId(opts.name);
  const input = h('input', { id, name: opts.name, type: 'number', value, min: opts.min, max: opts.max, step: opts.step ?? 'any' });
  input.addEventListener('change', () => {
    const v = Number(input.value);
    const ok =
      input.value !== '' &&
      Number.isFinite(v) &&
      (opts.min === undefined || v >= opts.min) &&
      (opts.max === undefined || v <= opts.max) &&
      (!opts.integer || Number.isInteger(v));
    input.setAttribute('aria-invalid', String(!ok));
    if (ok) onChange(v);
  });
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** A labelled select. */
export function selectField(
  label: string,
  options: readonly string[],
  value: string,
  name: string,
  onChange: (v: string) => void,
  texts: Record<string, string> = {},
): HTMLElement {
  const id = nextId(name);
  const select = h('select', { id, name }, ...options.map((o) => h('option', { value: o, selected: o === value }, texts[o] ?? o)));
  select.addEventListener('change', () => onChange(select.value));
  return h('div', { class: 'field' }, h('label', { for: id }, label), select);
}

/** A group of labelled checkboxes. */
export function checkboxes(legend: string, options: readonly string[], checked: readonly string[], name: string, onChange: (v: string[]) => void): HTMLElement {
  const boxes = options.map((o) => {
    const id = nextId(name);
    const box = h('input', { id, type: 'checkbox', name, value: o, checked: checked.includes(o) });
    box.addEventListener('change', () => onChange(boxes.filter((b) => b.box.checked).map((b) => b.value)));
    return { value: o, box, el: h('label', { for: id, class: 'check' }, box, ` ${o}`) };
  });
  return h('fieldset', { class: 'checks' }, h('legend', {}, legend), ...boxes.map((b) => b.el));
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(
    ...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))),
  );
}
